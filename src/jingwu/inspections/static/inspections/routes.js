/* The routes of a plan's day on a Leaflet map: each team's visits in order, from where the
   team starts and back (straight lines between stops: the order and the stops, not the roads). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";  // after the page's own scripts (Leaflet) have loaded
  var day = document.getElementById("jw-routes-day");
  if (day) day.addEventListener("change", function () { day.form.submit(); });
  var print = document.getElementById("jw-routes-print");
  if (print) print.addEventListener("click", function () { window.print(); });
  document.querySelectorAll(".jw-route-dot[data-color]").forEach(function (d) { d.style.background = d.dataset.color; });
  var el = document.getElementById("jw-routes-map");
  var data = document.getElementById("jw-routes-data");
  if (!el || !data || typeof L === "undefined") return;
  var routes = JSON.parse(data.textContent);
  var map = L.map(el, { preferCanvas: true, zoomControl: true });
  map.attributionControl.setPrefix("Leaflet");
  el.jwMap = map;
  var tiles = document.body.dataset.tileUrl;
  if (tiles) L.tileLayer(tiles, { maxZoom: 19, attribution: document.body.dataset.tileAttribution || "" }).addTo(map);
  var bounds = L.latLngBounds([]);
  routes.forEach(function (r) {
    var line = [];
    if (r.depot) {
      line.push([r.depot[1], r.depot[0]]);
      L.circleMarker([r.depot[1], r.depot[0]], { radius: 7, color: "#1f2d3d", fillColor: "#fff", fillOpacity: 1, weight: 3 })
        .bindTooltip(el.dataset.depotLabel || "").addTo(map);
    }
    r.stops.forEach(function (s, i) {
      line.push([s.lat, s.lon]);
      L.circleMarker([s.lat, s.lon], { radius: 6, color: r.color, fillColor: r.color, fillOpacity: 0.9, weight: 1 })
        .bindTooltip((i + 1) + ". " + s.arrive + " " + s.name).addTo(map);
    });
    if (r.depot) line.push([r.depot[1], r.depot[0]]);
    var poly = L.polyline(line, { color: r.color, weight: 3, opacity: 0.8 }).addTo(map);
    bounds.extend(poly.getBounds());
  });
  if (bounds.isValid()) map.fitBounds(bounds.pad(0.1)); else map.setView([30, 120], 10);
  el.dataset.routes = String(routes.length);
});
