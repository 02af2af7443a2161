// Parse one GIFT file with gift-pegjs and print its questions as JSON.
// Exit 1 with "line:column: message" on a syntax error.
const fs = require("fs");
const { parse } = require("gift-pegjs");

const text = fs.readFileSync(process.argv[2], "utf8");
try {
  process.stdout.write(JSON.stringify(parse(text)));
} catch (error) {
  const at = error.location ? `${error.location.start.line}:${error.location.start.column}: ` : "";
  process.stderr.write(`${at}${error.message}\n`);
  process.exit(1);
}
