/** A command line the CLI cannot run as given: exit 2, with a message that says what to change. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}
