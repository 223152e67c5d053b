export { ExitCode, type ExitCodeValue } from "./cli/exit-codes.js";
export { createProgram, main } from "./main.js";
export { VERSION } from "./version.js";
