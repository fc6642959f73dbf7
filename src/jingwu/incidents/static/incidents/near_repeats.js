/* Near-repeat alerts on the map: a circle of the risk distance around each burglary, with
   the zone and the day the window ends (no inline scripts). */
(function () {
  "use strict";
  var el = document.getElementById("near-repeat-map");
  var data = document.getElementById("near-repeat-features");
  if (!el || !data || typeof L === "undefined") { return; }
  var features = JSON.parse(data.textContent || "[]");
  var map = L.map(el, { zoomControl: true });
  var tiles = document.body.dataset.tileUrl;
  if (tiles) { L.tileLayer(tiles, { maxZoom: 19, attribution: document.body.dataset.tileAttribution || "" }).addTo(map); }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  var group = L.featureGroup();
  features.forEach(function (f) {
    L.circle([f.lat, f.lon], { radius: f.radius, color: "#dc3545", weight: 1, fillOpacity: 0.15 })
      .bindPopup(esc(f.number) + "<br>" + esc(f.zone) + " · " + esc(el.dataset.until) + " " + esc(f.ends))
      .addTo(group);
  });
  group.addTo(map);
  if (features.length) { map.fitBounds(group.getBounds(), { maxZoom: 16 }); } else { map.setView([31.0, 120.0], 10); }
  el.jwMap = map;
})();
