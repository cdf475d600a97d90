// Copy the built files of the pinned npm packages into static/vendor (committed; no CDN, no Node at run time).
import { cpSync, mkdirSync, rmSync } from "node:fs";

const out = "../static/vendor";
rmSync(out, { recursive: true, force: true });
const files = [
  ["bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"],
  ["bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"],
  ["bootstrap-icons/font/fonts", "bootstrap-icons/fonts"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["echarts/dist/echarts.min.js", "echarts/echarts.min.js"],
];
for (const [from, to] of files) {
  mkdirSync(`${out}/${to}`.split("/").slice(0, -1).join("/"), { recursive: true });
  cpSync(`node_modules/${from}`, `${out}/${to}`, { recursive: true });
}
// axe-core runs in the browser tests only (browser_tests/axe.py injects it); it is never served.
mkdirSync("../browser_tests/vendor", { recursive: true });
cpSync("node_modules/axe-core/axe.min.js", "../browser_tests/vendor/axe.min.js");
console.log("static/vendor and browser_tests/vendor updated");
