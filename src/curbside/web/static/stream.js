/* curbside: stream an LLM-written answer to the ask page, checked sentence by sentence.
 *
 * When the reader picks a generator other than the quoted one, the ask form is sent with
 * fetch to /ask/stream (same fields and CSRF token as the plain form) and the reply is
 * read as server-sent events. The server sends a sentence only after verification kept
 * it; this file only shows what arrives (as text, never as HTML), then opens the full
 * answer's page. Without fetch streaming, or on any failure, the form posts as usual.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-stream]");
  var panel = document.getElementById("streamed");
  if (!form || !panel || !window.fetch || !window.TextDecoder || !window.ReadableStream) return;
  var list = panel.querySelector(".sentences");
  var notice = panel.querySelector(".notice");

  function chosenGenerator() {
    var picked = form.querySelector("input[name=generator]:checked");
    return picked ? picked.value : "extractive";
  }

  function show(sentence) {
    var item = document.createElement("li");
    item.className = sentence.quoted ? "sentence quoted" : "sentence drafted";
    item.textContent = sentence.text;
    var quotes = (sentence.quotes || []).map(function (q) { return q.quote; }).filter(Boolean);
    if (quotes.length) item.title = "Rests on: " + quotes.join(" … ");
    list.appendChild(item);
  }

  function handle(name, data) {
    if (name === "sentence") show(data);
    else if (name === "notice") { notice.textContent = data.message; notice.hidden = false; }
    else if (name === "done") { window.location.assign(data.url); return true; }
    else if (name === "error") throw new Error(data.message || "the question could not be answered");
    return false;
  }

  // One block of "event: …" and "data: …" lines; returns true when the answer is ready.
  function dispatch(block) {
    var name = "message";
    var data = "";
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) name = line.slice(6).trim();
      else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
    });
    return data ? handle(name, JSON.parse(data)) : false;
  }

  function fail(message) {
    var busy = form.querySelector(".busy");
    form.dataset.sent = "";
    form.removeAttribute("aria-busy");
    if (busy) busy.textContent = message;
  }

  form.addEventListener("submit", function (event) {
    if (chosenGenerator() === "extractive" || event.defaultPrevented) return;
    event.preventDefault();
    list.textContent = "";
    notice.hidden = true;
    panel.hidden = false;
    var token = form.querySelector("input[name=csrf_token]");
    fetch(form.getAttribute("data-stream"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "text/event-stream", "X-CSRF-Token": token ? token.value : "" }
    }).then(function (response) {
      if (!response.ok || !response.body) {
        return response.text().then(function (text) {
          throw new Error(text.split("\n")[0] || "the server answered " + response.status);
        });
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) return;
          buffer += decoder.decode(chunk.value, { stream: true });
          var blocks = buffer.split("\n\n");
          buffer = blocks.pop();
          for (var i = 0; i < blocks.length; i++) if (dispatch(blocks[i])) return;
          return pump();
        });
      }
      return pump();
    }).catch(function (err) {
      fail("That did not work (" + err.message + "). Try again.");
    });
  });
})();
