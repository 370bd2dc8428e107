/* The website's search box: the documents come as a script (search/index.js, which works from
   file:// as well as over http), are indexed by MiniSearch on the first keystroke, and every
   keystroke lists the entries found. German text: case, umlauts and ß are folded (Größe = grosse,
   über = uber) and every word is a prefix (Rechen finds Rechenleistung). */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || !window.MiniSearch) { return; }
  var input = box.querySelector("input");
  var list = box.querySelector("ol");
  var status = box.querySelector("[role=status]");
  var engine = null;
  var loading = false;

  function fold(term) {
    return term.toLowerCase().replace(/ß/g, "ss").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function load(then) {
    if (engine) { then(); return; }
    if (loading) { return; }
    loading = true;
    var script = document.createElement("script");
    script.src = box.getAttribute("data-index");
    script.onload = function () {
      engine = new window.MiniSearch({
        fields: ["title", "aliases", "text"],
        processTerm: fold,
        searchOptions: { prefix: true, fuzzy: 0.15, combineWith: "AND", boost: { title: 4, aliases: 2 } }
      });
      engine.addAll(window.publishSearch);
      then();
    };
    document.head.appendChild(script);
  }

  function show() {
    var query = input.value.trim();
    list.textContent = "";
    if (!query) { status.textContent = ""; return; }
    var hits = engine.search(query).slice(0, 20);
    hits.forEach(function (hit) {
      var doc = window.publishSearch[hit.id];
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = doc.url;
      link.textContent = doc.title;
      var excerpt = document.createElement("p");
      excerpt.textContent = doc.text.length > 160 ? doc.text.slice(0, 160) + "…" : doc.text;
      item.appendChild(link);
      item.appendChild(excerpt);
      list.appendChild(item);
    });
    status.textContent = hits.length ? hits.length + " " + box.getAttribute("data-found")
      : box.getAttribute("data-none");
  }

  box.hidden = false;
  input.addEventListener("input", function () { load(show); });
  input.addEventListener("keydown", function (event) {
    var first = list.querySelector("a");
    if (event.key === "Enter" && first) { event.preventDefault(); location.href = first.href; }
    if (event.key === "Escape") { input.value = ""; show(); }
  });
})();
