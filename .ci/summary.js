// Prints one "label: N passed, N failed, N skipped" line from a Jest --json report.
const [label, file] = process.argv.slice(2);
try {
  const report = require(file);
  console.log(`${label}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`);
} catch {
  console.log(`${label}: 0 passed, 1 failed`);
}
