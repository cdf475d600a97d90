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
console.log("static/vendor updated");
