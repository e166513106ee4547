// pantry's small enhancements. Everything works without this file; it adds
// search suggestions as you type. Loaded as a static file so the CSP can
// forbid inline scripts.
(function () {
  "use strict";

  var PATHS = { product: "/products/", post: "/journal/" };

  function setUp(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = document.getElementById("search-suggestions-status");
    var url = input.dataset.suggestUrl;
    var timer = null;
    var controller = null;
    var lastQuery = "";

    function close() {
      list.hidden = true;
      list.replaceChildren();
    }

    function show(items) {
      list.replaceChildren();
      items.forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = (PATHS[item.type] || "/products/") + encodeURIComponent(item.slug) + "/";
        var title = document.createElement("span");
        title.textContent = item.title;
        var kind = document.createElement("small");
        kind.textContent = item.type === "post" ? "Journal" : "Product";
        a.append(title, kind);
        li.append(a);
        list.append(li);
      });
      list.hidden = items.length === 0;
      if (status) {
        status.textContent = items.length
          ? items.length + " suggestions, press down to browse"
          : "";
      }
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q === lastQuery) return;
      lastQuery = q;
      if (q.length < 2) {
        close();
        return;
      }
      if (controller) controller.abort();
      controller = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        signal: controller.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : { items: [] };
        })
        .then(function (body) {
          if (input.value.trim() === q) show(body.items || []);
        })
        .catch(function () {});
    }

    function links() {
      return Array.prototype.slice.call(list.querySelectorAll("a"));
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !list.hidden) {
        event.preventDefault();
        var first = links()[0];
        if (first) first.focus();
      } else if (event.key === "Escape") {
        close();
      }
    });
    list.addEventListener("keydown", function (event) {
      var all = links();
      var index = all.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && index < all.length - 1) {
        event.preventDefault();
        all[index + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (index > 0) all[index - 1].focus();
        else input.focus();
      } else if (event.key === "Escape") {
        input.focus();
        close();
      }
    });
    document.addEventListener("click", function (event) {
      if (!input.form.contains(event.target)) close();
    });
  }

  // Filter checkboxes and sort menus apply at once; the submit button stays
  // for visitors without JavaScript. htmx (when loaded) turns the submit into
  // a partial swap. Delegated, since htmx replaces the form with the results.
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-autosubmit]");
    if (!form || event.target.matches("input[type=number], input[type=text]")) return;
    form.requestSubmit();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("site-search");
    if (input && input.dataset.suggestUrl) setUp(input);
  });
})();
