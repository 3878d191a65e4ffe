/* duchu site: the page reads without this. It sorts a table when its heading is clicked
   (th[data-sort]: "text" or "number"; a cell's data-value, if any, is what is sorted) and
   filters rows by group (select[data-filter] names a table; rows carry data-group). */
(function () {
  "use strict";
  function key(cell, kind) {
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent;
    if (kind === "number") { var n = parseFloat(raw); return isNaN(n) ? -Infinity : n; }
    return raw.trim();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, column) {
      var kind = th.getAttribute("data-sort");
      if (!kind) { return; }
      th.tabIndex = 0;
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[column], kind), y = key(b.cells[column], kind);
          var order = kind === "number" ? x - y : x.localeCompare(y, "zh-CN");
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) { if (event.key === "Enter") { sort(); } });
    });
  });
  document.querySelectorAll("select[data-filter]").forEach(function (select) {
    var table = document.getElementById(select.getAttribute("data-filter"));
    if (!table) { return; }
    select.addEventListener("change", function () {
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = select.value !== "" && row.getAttribute("data-group") !== select.value;
      });
    });
  });
})();
