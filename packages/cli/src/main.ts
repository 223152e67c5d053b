import { VERSION } from "./version.js";

/** Runs the neuroon command line with the given arguments (without the node and script paths). */
export async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes("--version")) {
    process.stdout.write(`${VERSION}\n`);
  }
}
