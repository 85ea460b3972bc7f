/** Where a CLI command writes: standard output and standard error, one line at a time. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}
