/* A series on a map (its incidents in order, joined by a line) and on a timeline. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var data = document.getElementById("jw-series-points");
  if (!data) return;
  var pts = JSON.parse(data.textContent);
  var el = document.getElementById("jw-series-map");
  if (el && typeof L !== "undefined" && pts.length) {
    var map = L.map(el, { preferCanvas: true });
    map.attributionControl.setPrefix("Leaflet");
    var tiles = document.body.dataset.tileUrl;
    if (tiles) L.tileLayer(tiles, { maxZoom: 19, attribution: document.body.dataset.tileAttribution || "" }).addTo(map);
    var line = pts.map(function (p) { return [p.lat, p.lon]; });
    L.polyline(line, { color: "#c0392b", weight: 2, dashArray: "4 4" }).addTo(map);
    pts.forEach(function (p) {
      L.circleMarker([p.lat, p.lon], { radius: 7, color: "#c0392b", fillColor: "#e74c3c", fillOpacity: 0.9, weight: 1 })
        .bindTooltip(p.order + ". " + p.when + " " + p.number).addTo(map);
    });
    map.fitBounds(L.latLngBounds(line).pad(0.2));
  }
  var tl = document.getElementById("jw-series-timeline");
  if (tl && typeof echarts !== "undefined" && pts.length) {
    var chart = echarts.init(tl);
    chart.setOption({
      grid: { left: 90, right: 20, top: 10, bottom: 40 },
      xAxis: { type: "time" },
      yAxis: { type: "value", min: 0, max: 24, interval: 6 },
      tooltip: { trigger: "item", formatter: function (q) { return q.data[2]; } },
      series: [{ type: "scatter", symbolSize: 12, data: pts.map(function (p) {
        var h = parseInt(p.when.slice(11, 13), 10) + parseInt(p.when.slice(14, 16), 10) / 60;
        return [p.when.replace(" ", "T"), h, p.order + ". " + p.when + " " + p.number];
      }) }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
});
