/* The "Find your MP" box on index.html. What is typed is resolved in this page (finder.js) against
 * a lookup file that is the same for every query; it is never sent, stored or put in the address.
 * Results are built with textContent only: typed text can never become markup. */
(function () {
  "use strict";
  var section = document.getElementById("finder");
  if (!section) { return; }
  if (!window.fetch || !window.npdFinder) { section.hidden = true; return; }
  var input = document.getElementById("query");
  var button = document.getElementById("find");
  var results = document.getElementById("results");
  var finder = null, loading = null, timer = null, shownFor = null;

  function load() {
    if (!loading) {
      loading = fetch(section.getAttribute("data-lookup"), {credentials: "omit"})
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) { finder = window.npdFinder.create(data); return finder; });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function seatLink(seat) {
    var link = element("a", seat.name);
    link.href = "seats/" + seat.page;
    if (seat.nameCy && seat.nameCy !== seat.name) {
      link.appendChild(document.createTextNode(" / "));
      var welsh = element("span", seat.nameCy);
      welsh.lang = "cy";
      link.appendChild(welsh);
    }
    return link;
  }

  function seatLine(seat) {
    var line = element("li");
    line.appendChild(seatLink(seat));
    line.appendChild(document.createTextNode(": " + seat.mp + " (" + seat.party + ")"));
    return line;
  }

  function show(answer) {
    var nodes = [];
    if (answer.ok) {
      var found = element("p", "", "found");
      found.appendChild(document.createTextNode("Your constituency: "));
      found.appendChild(seatLink(answer.seat));
      nodes.push(found);
      nodes.push(element("p", "MP: " + answer.seat.mp + " (" + answer.seat.party + ")"));
    } else {
      nodes.push(element("p", answer.message, "problem"));
      if (answer.candidates.length) {
        nodes.push(element("p", answer.candidates.length === 1 ? "Is it this one?" : "Choose one:"));
        var list = element("ul");
        answer.candidates.forEach(function (seat) { list.appendChild(seatLine(seat)); });
        nodes.push(list);
      }
    }
    results.replaceChildren.apply(results, nodes);
  }

  function search() {
    clearTimeout(timer);
    var query = input.value;
    if (!query.trim()) { shownFor = null; results.replaceChildren(); return; }
    if (query === shownFor) { return; }
    if (!finder) { results.replaceChildren(element("p", "Loading the list of constituencies…")); }
    load().then(function (ready) {
      if (input.value !== query) { return; }  // typing moved on; the newer search will show
      shownFor = query;
      show(ready.resolve(query));
    }, function () {
      results.replaceChildren(element("p", "The list of constituencies could not be loaded. Reload the page, or " +
                                           "choose your constituency from the list below.", "problem"));
    });
  }

  input.addEventListener("focus", load);
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 400);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); search(); }
  });
  button.addEventListener("click", search);
  window.npdSearch = {ready: load};  // for the browser tests: the page's own resolver
}());
