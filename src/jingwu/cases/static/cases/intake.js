/* The duty desk: category and address search by keyboard, the map's pick, the place's
   grid/zone/station and the duplicate warning (no inline scripts).

   Keys: Tab moves on (the time of the call is typed as YYYY-MM-DD HH:MM); in a search
   box ↑/↓ choose, Enter takes the choice (typed before the suggestions arrive, it takes
   the first one when they come; it never sends the form), Escape closes the list;
   Ctrl+Enter (⌘+Enter) records the incident from any field. */
(function () {
  "use strict";
  var form = document.getElementById("intake");
  if (!form) { return; }
  var d = form.dataset;

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function debounce(fn, ms) {
    var t; return function () { var a = arguments; clearTimeout(t); t = setTimeout(function () { fn.apply(null, a); }, ms); };
  }
  function getJSON(url, params) {
    var q = new URLSearchParams(params).toString();
    return fetch(url + "?" + q, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : { results: [] }; });
  }

  // A search box with a list below it (an ARIA combobox): arrows move, Enter takes, Escape closes.
  function suggest(input, list, load, render, pick) {
    var items = [], active = -1, shownFor = null, seq = 0, waiting = null, timer = null;
    function close() {
      list.innerHTML = ""; items = []; active = -1; shownFor = null;
      input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
    }
    function take(i) { var r = items[i]; close(); pick(r); }
    function mark() {
      Array.prototype.forEach.call(list.querySelectorAll("[data-i]"), function (el, i) {
        el.classList.toggle("active", i === active); el.setAttribute("aria-selected", i === active ? "true" : "false");
        if (i === active) { input.setAttribute("aria-activedescendant", el.id); el.scrollIntoView({ block: "nearest" }); }
      });
    }
    function show(q, results) {
      items = results; active = results.length ? 0 : -1; shownFor = q;
      list.innerHTML = results.length ? results.map(function (r, i) {
        return '<button type="button" role="option" tabindex="-1" id="' + list.id + "-" + i +
          '" class="list-group-item list-group-item-action py-1 small" data-i="' + i + '">' + render(r) + "</button>";
      }).join("") : '<div class="list-group-item py-1 small text-body-secondary jw-no-match" role="status">' + esc(d.noMatch) + "</div>";
      input.setAttribute("aria-expanded", "true");
      mark();
    }
    function lookup() {
      clearTimeout(timer);
      var q = input.value.trim(), mine = ++seq;
      if (!q) { close(); return; }
      load(q).then(function (data) {
        if (mine !== seq || document.activeElement !== input) { return; }  // a later lookup, or gone
        show(q, data.results || []);
        if (waiting === mine) { waiting = null; if (items.length) { take(0); } }
      });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 150); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { return; }  // the form's own shortcut
      if (e.key === "Enter") {
        e.preventDefault();  // Enter in a search box chooses; it never sends the form
        if (items.length && shownFor === input.value.trim()) { take(active); }
        else if (input.value.trim() && shownFor !== input.value.trim()) { lookup(); waiting = seq; }
        return;
      }
      if (e.key === "Escape") { if (list.children.length) { close(); e.preventDefault(); } return; }
      if (!items.length) {
        if (e.key === "ArrowDown" && input.value.trim()) { lookup(); e.preventDefault(); }
        return;
      }
      if (e.key === "ArrowDown") { active = (active + 1) % items.length; mark(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = (active - 1 + items.length) % items.length; mark(); e.preventDefault(); }
    });
    list.addEventListener("mousedown", function (e) {
      var b = e.target.closest("[data-i]"); if (!b) { return; }
      take(+b.dataset.i); e.preventDefault();
    });
    input.addEventListener("blur", function () { waiting = null; setTimeout(close, 150); });
  }

  var catInput = document.getElementById("category-search");
  var catCode = document.getElementById("id_category");
  var catPicked = document.getElementById("category-picked");
  var received = document.getElementById("id_received_at");
  var catLabel = catInput.value;  // what the box says of the chosen category
  suggest(catInput, document.getElementById("category-list"),
    function (q) { return getJSON(d.categoriesUrl, { q: q }); },
    function (r) { return "<b>" + esc(r.code) + "</b> " + esc(r.name) + ' <span class="text-body-secondary">' + esc(r.pinyin) + "</span>"; },
    function (r) {
      catCode.value = r.code; catInput.value = catLabel = r.code + " " + r.name;
      catPicked.textContent = r.pinyin; checkDuplicates();
    });
  catInput.addEventListener("input", function () {
    // changing the text drops the chosen category: what is sent is what the box shows
    if (catInput.value !== catLabel) { catCode.value = ""; catPicked.textContent = ""; }
  });
  catInput.addEventListener("change", function () {
    var v = catInput.value.trim();
    if (/^\d{2,4}$/.test(v)) { catCode.value = catLabel = v; checkDuplicates(); }
  });
  var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  var whereBox = document.getElementById("where"), whereHint = whereBox.innerHTML;
  var map = null, marker = null, tiles = document.body.dataset.tileUrl;
  function showWhere(w) {
    if (w.error) { whereBox.className = "alert alert-danger py-1 px-2 small mt-2 mb-2"; whereBox.textContent = w.error; return; }
    whereBox.className = "alert alert-info py-1 px-2 small mt-2 mb-2";
    whereBox.innerHTML = [
      [d.labelStation, w.station + (w.station_type ? " (" + w.station_type + ")" : ""), "station"],
      [d.labelZone, w.zone, "zone"], [d.labelGrid, w.grid, "grid"]
    ].filter(function (p) { return p[1]; }).map(function (p) {
      return '<span class="me-3 text-nowrap">' + esc(p[0]) + ' <b data-where="' + p[2] + '">' + esc(p[1]) + "</b></span>";
    }).join(" ");
  }
  function unplace() {
    lon.value = lat.value = ""; whereBox.className = "alert alert-secondary py-1 px-2 small mt-2 mb-2";
    whereBox.innerHTML = whereHint;
    if (marker) { marker.remove(); marker = null; }
  }
  function placeAt(x, y, known) {
    lon.value = (+x).toFixed(6); lat.value = (+y).toFixed(6);
    if (map) {
      var ll = [+y, +x];
      if (marker) { marker.setLatLng(ll); } else { marker = L.marker(ll, { keyboard: false }).addTo(map); }
      // a picked address is shown close up on a tiled map; the plain map keeps the county in view
      if (known && tiles) { map.setView(ll, Math.max(map.getZoom(), 16)); }
      else if (!map.getBounds().contains(ll)) { map.panTo(ll); }
    }
    if (known) { showWhere(known); } else { getJSON(d.whereUrl, { lon: lon.value, lat: lat.value }).then(showWhere); }
    checkDuplicates();
  }
  var addr = document.getElementById("id_address");
  var addrPicked = null;  // the address whose point the coordinates are
  suggest(addr, document.getElementById("address-list"),
    function (q) { return getJSON(d.addressesUrl, { q: q }); },
    function (r) { return esc(r.address) + ' <span class="text-body-secondary">' + esc(r.station) + (r.grid ? " / " + esc(r.grid) : "") + "</span>"; },
    function (r) { addr.value = addrPicked = r.address; placeAt(r.lon, r.lat, r); });
  addr.addEventListener("input", function () {
    // another address than the one picked (more detail after it is fine): its point is gone
    if (addrPicked !== null && addr.value.indexOf(addrPicked) !== 0) { addrPicked = null; unplace(); }
  });
  [lon, lat].forEach(function (el) {
    el.addEventListener("change", function () { addrPicked = null; if (lon.value && lat.value) { placeAt(lon.value, lat.value); } });
  });
  received.addEventListener("change", function () { checkDuplicates(); });

  // Ctrl+Enter (⌘+Enter on a Mac) records the incident from any field, the description too.
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
  });

  var dupBox = document.getElementById("duplicates"), dupList = document.getElementById("duplicate-list");
  var checkDuplicates = debounce(function () {
    if (!catCode.value || !lon.value || !lat.value) { dupBox.classList.add("d-none"); return; }
    getJSON(d.duplicatesUrl, { category: catCode.value, lon: lon.value, lat: lat.value,
                                received_at: received.value }).then(function (data) {
      var rows = data.results || [];
      dupBox.classList.toggle("d-none", !rows.length);
      dupList.innerHTML = rows.map(function (r) {
        return "<li>" + esc(r.number || d.outside) + " · " + esc(r.received_at) + (r.address ? " · " + esc(r.address) : "") + " · " + esc(r.metres) + " m</li>";
      }).join("");
    });
  }, 250);

  var el = document.getElementById("intake-map");
  if (el && window.L) {
    map = L.map(el, { zoomControl: true });
    if (tiles) { L.tileLayer(tiles, { maxZoom: 19, attribution: document.body.dataset.tileAttribution || "" }).addTo(map); }
    else { el.classList.add("jw-map-plain"); }
    var b = (d.bounds || "").split(",").map(Number);
    if (b.length === 4 && !isNaN(b[0])) {
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
      L.rectangle([[b[1], b[0]], [b[3], b[2]]], { color: "#2471a3", weight: 1, fill: false, interactive: false }).addTo(map);
    } else { map.setView([31, 120], 10); }
    map.on("click", function (e) { addrPicked = null; placeAt(e.latlng.lng, e.latlng.lat); });
    el.jwMap = map;
    if (lon.value && lat.value) { placeAt(lon.value, lat.value); }
    el.dataset.ready = "1";
  }
})();
