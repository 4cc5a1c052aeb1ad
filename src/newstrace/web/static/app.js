// newstrace serve: the little the pages need beyond HTML. No libraries.
(function () {
  "use strict";

  // Provenance graph: hovering a dot lights up its arrows and neighbours.
  document.querySelectorAll("svg.graph").forEach(function (svg) {
    var edges = svg.querySelectorAll(".edge");
    svg.querySelectorAll(".node").forEach(function (node) {
      var id = node.getAttribute("data-id");
      node.addEventListener("mouseenter", function () {
        svg.classList.add("focus");
        node.classList.add("hl");
        edges.forEach(function (e) {
          var from = e.getAttribute("data-from"), to = e.getAttribute("data-to");
          if (from === id || to === id) {
            e.classList.add("hl");
            var other = svg.querySelector('.node[data-id="' + (from === id ? to : from) + '"]');
            if (other) { other.classList.add("hl"); }
          }
        });
      });
      node.addEventListener("mouseleave", function () {
        svg.classList.remove("focus");
        svg.querySelectorAll(".hl").forEach(function (el) { el.classList.remove("hl"); });
      });
    });
  });

  // Story page: fetch the claims matrix (server-rendered, escaped) once the page is up.
  var claims = document.getElementById("claims");
  if (claims && claims.getAttribute("data-src")) {
    var note = document.createElement("p");
    note.className = "muted loading";
    note.textContent = "Building the claims matrix…";
    claims.appendChild(note);
    fetch(claims.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, text: t }; }); })
      .then(function (r) {
        if (!r.ok) { note.textContent = "The claims matrix could not be built."; return; }
        var doc = new DOMParser().parseFromString(r.text, "text/html");
        claims.replaceChildren.apply(claims, Array.prototype.slice.call(doc.body.childNodes));
      })
      .catch(function () { note.textContent = "The claims matrix could not be loaded."; });
  }

  // Forms that take a while: show progress, upload percentage where the browser tells it.
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var busy = form.querySelector(".busy");
      var button = form.querySelector("button[type=submit]");
      var bar = form.querySelector("progress.upload-progress");
      if (busy) { busy.hidden = false; busy.textContent = form.getAttribute("data-busy"); }
      if (!bar || !window.XMLHttpRequest || !window.FormData) {
        if (button) { setTimeout(function () { button.disabled = true; }, 0); }
        return;
      }
      event.preventDefault();
      if (button) { button.disabled = true; }
      bar.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      });
      xhr.upload.addEventListener("load", function () {
        bar.removeAttribute("value");  // indeterminate while the server reads the files
        if (busy) { busy.textContent = "Uploaded; reading and storing…"; }
      });
      xhr.addEventListener("load", function () {
        // the answer is a whole page rendered (and escaped) by the server: show it
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var main = doc.querySelector("main");
        var here = document.querySelector("main");
        if (main && here) {
          here.replaceWith(document.adoptNode(main));
          document.title = doc.title;
        } else {
          window.location.reload();
        }
      });
      xhr.addEventListener("error", function () {
        if (busy) { busy.textContent = "Upload failed: the connection was lost."; }
        if (button) { button.disabled = false; }
      });
      xhr.send(new FormData(form));
    });
  });
})();
