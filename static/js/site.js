// The frame of every page (loaded deferred by base.html):
// - a form or submit button with data-confirm="…" asks before it submits; a dismissed question
//   submits nothing (htmx's own hx-confirm works as it is);
// - below the md breakpoint every table of the main content reads as stacked cards
//   (static/css/app.css): each cell carries its column's header as data-label; a table opts
//   out with data-cards="off";
// - a scrolling table wrapper can be reached and scrolled with the keyboard.
(() => {
  document.addEventListener(
    "submit",
    (event) => {
      const message =
        (event.submitter && event.submitter.dataset.confirm) || event.target.dataset.confirm;
      if (message && !window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );

  const headerTexts = (table) => {
    const row = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!row) return [];
    const texts = [];
    for (const cell of row.cells) {
      for (let i = 0; i < cell.colSpan; i += 1) texts.push(cell.textContent.trim());
    }
    return texts;
  };

  const asCards = (table) => {
    if (table.dataset.cards === "off" || table.classList.contains("table-cards")) return;
    const texts = headerTexts(table);
    for (const body of [...table.tBodies, ...(table.tFoot ? [table.tFoot] : [])]) {
      for (const row of body.rows) {
        let column = 0;
        for (const cell of row.cells) {
          if (!cell.hasAttribute("data-label") && texts[column]) {
            cell.dataset.label = texts[column];
          }
          column += cell.colSpan;
        }
      }
    }
    table.classList.add("table-cards");
    const wrapper = table.closest(".table-responsive, .table-scroll");
    if (wrapper) wrapper.classList.add("cards-wrapper");
  };

  const reachable = (wrapper) => {
    if (wrapper.hasAttribute("tabindex")) return;
    const table = wrapper.querySelector("table");
    const caption = table && table.caption ? table.caption.textContent.trim() : "";
    let heading = wrapper.previousElementSibling;
    while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
    wrapper.tabIndex = 0;
    wrapper.setAttribute("role", "region");
    wrapper.setAttribute(
      "aria-label",
      caption || (heading ? heading.textContent.trim() : "") || "Tabel",
    );
  };

  const frame = (root) => {
    const scope = root.closest && root.closest("main") ? root : document.querySelector("main");
    if (!scope) return;
    scope.querySelectorAll(".table").forEach(asCards);
    scope.querySelectorAll(".table-responsive, .table-scroll").forEach(reachable);
  };

  document.addEventListener("DOMContentLoaded", () => frame(document));
  // Content htmx swaps in (the live score, a decided row) gets the same treatment.
  document.addEventListener("htmx:load", (event) => frame(event.target));
})();
