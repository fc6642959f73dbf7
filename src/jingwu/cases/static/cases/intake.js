/* The duty desk: category and address search by keyboard, the map's pick, the place's
   grid/zone/station and the duplicate warning (no inline scripts). */
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

  // A search box with a list below it: arrows move, Enter takes, Escape closes.
  function suggest(input, list, load, render, pick) {
    var items = [], active = -1;
    function close() { list.innerHTML = ""; items = []; active = -1; input.setAttribute("aria-expanded", "false"); }
    function show(results) {
      items = results; active = results.length ? 0 : -1;
      list.innerHTML = results.length ? results.map(function (r, i) {
        return '<button type="button" role="option" tabindex="-1" class="list-group-item list-group-item-action py-1 small' + (i === 0 ? " active" : "") + '" data-i="' + i + '">' + render(r) + "</button>";
      }).join("") : '<div class="list-group-item py-1 small text-body-secondary">' + esc(d.noMatch) + "</div>";
      input.setAttribute("aria-expanded", "true");
    }
    function mark() {
      Array.prototype.forEach.call(list.children, function (el, i) { el.classList.toggle("active", i === active); });
    }
    input.addEventListener("input", debounce(function () {
      if (!input.value.trim()) { close(); return; }
      load(input.value).then(function (data) { show(data.results || []); });
    }, 150));
    input.addEventListener("keydown", function (e) {
      if (!items.length) { return; }
      if (e.key === "ArrowDown") { active = (active + 1) % items.length; mark(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = (active - 1 + items.length) % items.length; mark(); e.preventDefault(); }
      else if (e.key === "Enter") { if (active >= 0) { pick(items[active]); close(); e.preventDefault(); } }
      else if (e.key === "Escape") { close(); }
    });
    list.addEventListener("mousedown", function (e) {
      var b = e.target.closest("[data-i]"); if (!b) { return; }
      pick(items[+b.dataset.i]); close(); e.preventDefault();
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  var catInput = document.getElementById("category-search");
  var catCode = document.getElementById("id_category");
  var catPicked = document.getElementById("category-picked");
  suggest(catInput, document.getElementById("category-list"),
    function (q) { return getJSON(d.categoriesUrl, { q: q }); },
    function (r) { return "<b>" + esc(r.code) + "</b> " + esc(r.name) + ' <span class="text-body-secondary">' + esc(r.pinyin) + "</span>"; },
    function (r) {
      catCode.value = r.code; catInput.value = r.code + " " + r.name;
      catPicked.textContent = r.pinyin; checkDuplicates();
      document.getElementById("id_received_at").focus();
    });
  catInput.addEventListener("change", function () {
    if (/^\d{2,4}$/.test(catInput.value.trim())) { catCode.value = catInput.value.trim(); checkDuplicates(); }
  });

  var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  var whereBox = document.getElementById("where");
  var map = null, marker = null;
  function showWhere(w) {
    if (w.error) { whereBox.className = "alert alert-danger py-1 px-2 small mt-2 mb-2"; whereBox.textContent = w.error; return; }
    whereBox.className = "alert alert-info py-1 px-2 small mt-2 mb-2";
    whereBox.textContent = [w.station + (w.station_type ? " (" + w.station_type + ")" : ""), w.zone, w.grid].filter(Boolean).join(" / ");
  }
  function placeAt(x, y, known) {
    lon.value = (+x).toFixed(6); lat.value = (+y).toFixed(6);
    if (map) {
      var ll = [+y, +x];
      if (marker) { marker.setLatLng(ll); } else { marker = L.marker(ll).addTo(map); }
      map.panTo(ll);
    }
    if (known) { showWhere(known); } else { getJSON(d.whereUrl, { lon: lon.value, lat: lat.value }).then(showWhere); }
    checkDuplicates();
  }
  var addr = document.getElementById("id_address");
  suggest(addr, document.getElementById("address-list"),
    function (q) { return getJSON(d.addressesUrl, { q: q }); },
    function (r) { return esc(r.address) + ' <span class="text-body-secondary">' + esc(r.station) + (r.grid ? " / " + esc(r.grid) : "") + "</span>"; },
    function (r) { addr.value = r.address; placeAt(r.lon, r.lat, r); document.getElementById("id_description").focus(); });
  [lon, lat].forEach(function (el) {
    el.addEventListener("change", function () { if (lon.value && lat.value) { placeAt(lon.value, lat.value); } });
  });
  document.getElementById("id_received_at").addEventListener("change", function () { checkDuplicates(); });

  var dupBox = document.getElementById("duplicates"), dupList = document.getElementById("duplicate-list");
  var checkDuplicates = debounce(function () {
    if (!catCode.value || !lon.value || !lat.value) { return; }
    getJSON(d.duplicatesUrl, { category: catCode.value, lon: lon.value, lat: lat.value,
                                received_at: document.getElementById("id_received_at").value }).then(function (data) {
      var rows = data.results || [];
      dupBox.classList.toggle("d-none", !rows.length);
      dupList.innerHTML = rows.map(function (r) {
        return "<li>" + esc(r.number || d.outside) + " · " + esc(r.received_at) + " · " + esc(r.address) + " · " + esc(r.metres) + " m</li>";
      }).join("");
    });
  }, 250);

  var el = document.getElementById("intake-map");
  if (el && window.L) {
    map = L.map(el, { zoomControl: true });
    var tiles = document.body.dataset.tileUrl;
    if (tiles) { L.tileLayer(tiles, { maxZoom: 19, attribution: document.body.dataset.tileAttribution || "" }).addTo(map); }
    else { el.classList.add("jw-map-plain"); }
    var b = (d.bounds || "").split(",").map(Number);
    if (b.length === 4 && !isNaN(b[0])) {
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
      L.rectangle([[b[1], b[0]], [b[3], b[2]]], { color: "#2471a3", weight: 1, fill: false }).addTo(map);
    } else { map.setView([31, 120], 10); }
    map.on("click", function (e) { placeAt(e.latlng.lng, e.latlng.lat); });
    el.jwMap = map;
    if (lon.value && lat.value) { placeAt(lon.value, lat.value); }
  }
})();
