/* curbside: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // A one-off notice (?done=…) is shown once; drop it from the address so a reload does not repeat it.
  if (window.history && window.location.search.indexOf("done=") !== -1) {
    var url = new URL(window.location.href);
    url.searchParams.delete("done");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  // Forms with data-busy show a message while the answer is computed and refuse a double submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy")) return;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    form.setAttribute("aria-busy", "true");
    var busy = form.querySelector(".busy");
    if (busy) busy.textContent = form.getAttribute("data-busy");
  });

  function settle(form) {
    if (!form) return;
    form.dataset.sent = "";
    form.removeAttribute("aria-busy");
    var busy = form.querySelector(".busy");
    if (busy) busy.textContent = "";
  }

  // htmx follow-ups: clear the box, let the form be used again, and bring the new answer into view.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (!(form instanceof HTMLFormElement)) return;
    settle(form);
    if (event.detail.successful && form.hasAttribute("data-reset")) form.reset();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "turns") return;
    var turns = target.querySelectorAll("article.turn");
    var last = turns[turns.length - 1];
    if (last) last.scrollIntoView({ behavior: "smooth", block: "start" });
  });
  // Coming back through the history must not leave a form stuck in its busy state.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-busy]").forEach(settle);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var form = event.detail && event.detail.elt;
    settle(form instanceof HTMLFormElement ? form : null);
    var busy = form && form.querySelector ? form.querySelector(".busy") : null;
    if (busy) busy.textContent = "That did not work (" + event.detail.xhr.status + "). Reload the page and try again.";
  });
})();
