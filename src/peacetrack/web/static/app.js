// PeaceTrack's little JavaScript: cell evidence on the compare page (its state in the URL,
// ?cell=ISSUE|COLUMN), text selection to offsets on the document page, timeline charts, and
// review forms sent in the background. Every page works without it.
"use strict";

const CELL_PARAM = "cell";

function cellLink(key) {
  for (const link of document.querySelectorAll("a.cell-link")) {
    if (link.dataset.cell === key) return link;
  }
  return null;
}

function showPanel(open) {
  const panel = document.getElementById("evidence");
  const layout = document.getElementById("compare-layout");
  if (!panel) return;
  panel.hidden = !open;
  if (layout) layout.classList.toggle("panel-open", open);
  if (!open) {
    document.querySelectorAll("td.cell.selected").forEach((td) => td.classList.remove("selected"));
  }
}

function setCellInUrl(key) {
  const url = new URL(window.location.href);
  if (key) url.searchParams.set(CELL_PARAM, key);
  else url.searchParams.delete(CELL_PARAM);
  if (url.href !== window.location.href) window.history.pushState({ cell: key }, "", url);
}

function openCell(link, remember) {
  const body = document.getElementById("evidence-body");
  if (!body) return false;
  const url = new URL(link.href);
  url.searchParams.set("part", "true");
  document.querySelectorAll("td.cell.selected").forEach((td) => td.classList.remove("selected"));
  link.closest("td").classList.add("selected");
  showPanel(true);
  body.textContent = "Loading the evidence…";
  if (remember) setCellInUrl(link.dataset.cell);
  fetch(url, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.text() : Promise.reject(new Error(r.statusText))))
    .then((html) => {
      body.innerHTML = html; // server-rendered and escaped by Jinja2
      const heading = body.querySelector("h2");
      if (heading) {
        heading.tabIndex = -1;
        heading.focus({ preventScroll: true });
      }
    })
    .catch((err) => { body.textContent = "Could not load the evidence: " + err.message; });
  return true;
}

function syncCellFromUrl() {
  if (!document.getElementById("evidence")) return;
  const key = new URL(window.location.href).searchParams.get(CELL_PARAM);
  const link = key ? cellLink(key) : null;
  if (link) openCell(link, false);
  else showPanel(false);
}

function closeCell() {
  showPanel(false);
  setCellInUrl(null);
}

function openFiltersOnWideScreens() {
  const box = document.getElementById("filters-box");
  if (box && window.matchMedia("(min-width: 60rem)").matches) box.open = true;
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
  document.getElementById("add-evidence").value = range.toString();
}

function drawChart() {
  const holder = document.getElementById("chart");
  const data = document.getElementById("chart-data");
  if (!holder || !data || typeof Plotly === "undefined") return;
  const figure = JSON.parse(data.textContent);
  if (!figure.data.length) return;
  if (holder.clientWidth < 640) {
    // A phone: the labels of the lines take what they need, not a fixed 220 px.
    figure.layout.margin = { l: 4, r: 8, t: 16, b: 40 };
    figure.layout.yaxis = { automargin: true, tickfont: { size: 10 } };
  }
  Plotly.newPlot(holder, figure.data, figure.layout, { displaylogo: false, responsive: true });
}

// Review forms (accept, reject, restore, undo, edit) are plain forms that post and are sent
// back to the page at the claim, with a confirmation and an Undo beside it. Here they are
// sent in the background instead: the page the server answers with (the same one, or the
// form again with its errors) is read, and the parts marked data-swap that this page also
// has are put in place of ours, so the reader stays where they were.
function swapFrom(html) {
  const fresh = new DOMParser().parseFromString(html, "text/html");
  let swapped = 0;
  for (const part of fresh.querySelectorAll("[data-swap][id]")) {
    const here = document.getElementById(part.id);
    if (here) {
      here.replaceWith(document.adoptNode(part));
      swapped += 1;
    }
  }
  return { fresh, swapped };
}

// After a review in the evidence panel, the cell it was opened from shows what the server
// now computes for it (#cell-summary, swapped in with the claims): its stance text and the
// classes that colour and mark it. Undo sends the same reply back, so it refreshes too.
function refreshMatrixCell() {
  const state = document.querySelector("#evidence #cell-summary[data-cell]");
  const link = state ? cellLink(state.dataset.cell) : null;
  if (!link) return;
  link.textContent = state.dataset.cellText;
  link.closest("td").className = state.dataset.cellClass + " selected";
}

function announce(form, text) {
  let note = form.parentElement.querySelector(".send-error");
  if (!note) {
    note = document.createElement("p");
    note.className = "send-error error";
    note.setAttribute("role", "alert");
    form.after(note);
  }
  note.textContent = text;
}

async function sendInPlace(form) {
  const buttons = form.querySelectorAll("button");
  buttons.forEach((b) => { b.disabled = true; });
  const editing = form.closest("section.edit-claim");
  try {
    const reply = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      // A form with errors then answers 200: its errors are swapped in, not a failure.
      headers: { "X-In-Place": "1" },
    });
    const { fresh, swapped } = swapFrom(await reply.text());
    if (!swapped) {
      const why = fresh.querySelector("main p") || fresh.querySelector("main");
      announce(form, why ? why.textContent.trim() : "The change could not be saved: reload the page.");
      return;
    }
    // Saved: the answer is the page the form came from, without the form, so an edit
    // form opened in place closes (one inside its claim went with the claim's swap).
    if (editing && editing.isConnected && !fresh.getElementById(editing.id)) closeEdit(editing);
    refreshMatrixCell();
    // An edit form sent back with errors: its first field at fault, else the confirmation.
    const again = editing ? document.getElementById(editing.id) : null;
    const target = (again && again.querySelector("[aria-invalid=true]"))
      || document.querySelector(".done-note") || document.querySelector("[aria-invalid=true]");
    if (target) target.focus({ preventScroll: false });
  } catch (err) {
    announce(form, "The change could not be sent (" + err.message + "): try again.");
  } finally {
    buttons.forEach((b) => { if (b.isConnected) b.disabled = false; });
  }
}

// Edit opens the claim's edit form (the page /claims/N/edit, which works alone without
// scripts) in place: inside the claim's box, or in a row of its own under a table's row.
// Saving sends it like the review forms; the answer puts the claim back as the page now
// shows it, with the confirmation and Undo, or the form again with its errors.
async function openEdit(link) {
  const box = "edit-claim-" + link.dataset.edit;
  const open = document.getElementById(box);
  if (open) {
    focusFirstField(open);
    return;
  }
  try {
    const reply = await fetch(link.href, { credentials: "same-origin" });
    const fresh = new DOMParser().parseFromString(await reply.text(), "text/html");
    const section = fresh.getElementById(box);
    if (!reply.ok || !section) throw new Error("no form");
    document.adoptNode(section);
    const row = link.closest("tr");
    if (row) {
      const holder = document.createElement("tr");
      holder.className = "edit-row";
      const cell = document.createElement("td");
      cell.colSpan = row.cells.length;
      cell.append(section);
      holder.append(cell);
      row.after(holder);
    } else {
      (link.closest(".review") || link.parentElement).after(section);
    }
    focusFirstField(section);
  } catch (err) {
    window.location.assign(link.href); // the form on its own page, as without scripts
  }
}

function focusFirstField(section) {
  const field = section.querySelector("[aria-invalid=true], select, textarea, input:not([type=hidden])");
  if (field) field.focus();
}

function editLinkOf(section) {
  const id = section.id.replace("edit-claim-", "");
  return document.querySelector(`a[data-edit="${id}"]`);
}

function closeEdit(section) {
  const link = editLinkOf(section);
  (section.closest("tr.edit-row") || section).remove();
  if (link) link.focus();
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-in-place]");
  if (!form || !window.fetch) return;
  event.preventDefault();
  sendInPlace(form);
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("a.cell-link");
  if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && openCell(link, true)) {
    event.preventDefault();
    return;
  }
  if (event.target.closest("#evidence-close")) closeCell();
  const edit = event.target.closest("a[data-edit]");
  if (edit && window.fetch && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
    event.preventDefault();
    openEdit(edit);
  }
  // Cancel closes a form opened in place; on the form's own page it goes back.
  const cancel = event.target.closest("a[data-cancel-edit]");
  const section = cancel ? document.getElementById(cancel.dataset.cancelEdit) : null;
  if (section && editLinkOf(section)) {
    event.preventDefault();
    closeEdit(section);
  }
});
document.addEventListener("keydown", (event) => {
  const panel = document.getElementById("evidence");
  if (event.key === "Escape" && panel && !panel.hidden) closeCell();
});
document.addEventListener("mouseup", captureSelection);
document.addEventListener("keyup", captureSelection);
document.addEventListener("DOMContentLoaded", () => {
  openFiltersOnWideScreens();
  syncCellFromUrl();
});
window.addEventListener("popstate", syncCellFromUrl);
window.addEventListener("load", drawChart);
