// tracejit report: interaction (inlined into the page by tracejit.visualizer.html).
// Click an element with data-sel: every element whose data-k shares one of those keys is highlighted
// (source line <-> recorded bytecode <-> IR ops <-> machine code). Stage buttons switch the IR pane.
(function () {
  "use strict";
  var byKey = {};
  document.querySelectorAll("[data-k]").forEach(function (el) {
    el.getAttribute("data-k").split(" ").forEach(function (k) {
      if (k) { (byKey[k] = byKey[k] || []).push(el); }
    });
  });
  var marked = [];
  function clear() {
    marked.forEach(function (el) { el.classList.remove("hl", "hl-main"); });
    marked = [];
  }
  function select(el) {
    clear();
    var seen = new Set();
    el.getAttribute("data-sel").split(" ").forEach(function (k) {
      (byKey[k] || []).forEach(function (other) {
        if (!seen.has(other)) { seen.add(other); other.classList.add("hl"); marked.push(other); }
      });
    });
    el.classList.add("hl", "hl-main");
    if (!seen.has(el)) { marked.push(el); }
    // bring the first highlighted row of every scrolling panel into view (the panel scrolls, not the page)
    document.querySelectorAll(".scroll").forEach(function (box) {
      var first = box.querySelector(".pane.on .hl, .bytecode .hl, .asmgroup.hl");
      if (first && first !== el && box.contains(first)) {
        box.scrollTop += first.getBoundingClientRect().top - box.getBoundingClientRect().top - 20;
      }
    });
    document.body.setAttribute("data-selected", el.getAttribute("data-sel"));
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button.stage");
    if (btn) {
      var bar = btn.parentNode;
      bar.querySelectorAll("button.stage").forEach(function (b) { b.classList.remove("on"); });
      btn.classList.add("on");
      var panel = bar.parentNode;
      panel.querySelectorAll(".pane").forEach(function (p) { p.classList.remove("on"); });
      document.getElementById(btn.getAttribute("data-pane")).classList.add("on");
      return;
    }
    if (ev.target.closest("a")) { return; }
    var el = ev.target.closest("[data-sel]");
    if (el) { select(el); }
  });
})();
