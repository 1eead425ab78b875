// PeaceTrack's little JavaScript: cell evidence on the compare page, text selection to
// offsets on the document page, and timeline charts. Every page works without it.
"use strict";

function openCell(link) {
  const panel = document.getElementById("evidence");
  if (!panel) return false;
  const url = new URL(link.href);
  url.searchParams.set("part", "true");
  fetch(url, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.text() : Promise.reject(new Error(r.statusText))))
    .then((html) => {
      panel.innerHTML = html; // server-rendered and escaped by Jinja2
      document.querySelectorAll("td.cell.selected").forEach((td) => td.classList.remove("selected"));
      link.closest("td").classList.add("selected");
    })
    .catch((err) => { panel.textContent = "Could not load the evidence: " + err.message; });
  return true;
}

function codePoints(text) {
  // Offsets in the store count code points, JavaScript strings count UTF-16 units.
  return Array.from(text).length;
}

function offsetWithin(container, node, offset) {
  const range = document.createRange();
  range.selectNodeContents(container);
  range.setEnd(node, offset);
  return codePoints(range.toString());
}

function captureSelection() {
  const text = document.getElementById("doctext");
  const form = document.getElementById("add-claim");
  if (!text || !form) return;
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
  const range = sel.getRangeAt(0);
  if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return;
  const start = offsetWithin(text, range.startContainer, range.startOffset);
  const end = offsetWithin(text, range.endContainer, range.endOffset);
  document.getElementById("sel-start").value = String(start);
  document.getElementById("sel-end").value = String(end);
  document.getElementById("sel-text").value = range.toString();
}

function drawChart() {
  const holder = document.getElementById("chart");
  const data = document.getElementById("chart-data");
  if (!holder || !data || typeof Plotly === "undefined") return;
  const figure = JSON.parse(data.textContent);
  if (!figure.data.length) return;
  Plotly.newPlot(holder, figure.data, figure.layout, { displaylogo: false, responsive: true });
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a.cell-link");
  if (link && !event.ctrlKey && !event.metaKey && openCell(link)) event.preventDefault();
});
document.addEventListener("mouseup", captureSelection);
document.addEventListener("keyup", captureSelection);
window.addEventListener("load", drawChart);
