/* Jingwu front-end glue: maps and charts from data attributes (no inline scripts). */
(function () {
  "use strict";

  var TYPE_COLORS = { full_spectrum: "#c0392b", proactive: "#d68910", preventive: "#1e8449" };
  var CATEGORY_COLORS = {
    hazchem_user: "#8e44ad", entertainment: "#e74c3c", hotel: "#2980b9", rental_housing: "#16a085",
    enterprise: "#7f8c8d", school: "#f39c12", financial: "#2c3e50", other: "#95a5a6"
  };

  function detailUrl(template, id) { return template && id != null ? template.replace(/\/0\/$/, "/" + id + "/") : null; }

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function baseMap(el) {
    // The map's own controls speak the page's language (Leaflet's titles are English).
    var words = document.body.dataset;
    var map = L.map(el, { preferCanvas: true, attributionControl: true, zoomControl: false });
    L.control.zoom({ zoomInTitle: words.mapZoomIn || "+", zoomOutTitle: words.mapZoomOut || "-" }).addTo(map);
    map.attributionControl.setPrefix("Leaflet");  // a credit, without a link out of the intranet
    el.jwMap = map;  // for the browser tests and the console
    var tiles = document.body.dataset.tileUrl;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: document.body.dataset.tileAttribution || "" }).addTo(map);
    } else {
      el.classList.add("jw-map-plain");
    }
    return map;
  }

  var ZONE_COLORS = ["#2471a3", "#c0392b", "#1e8449", "#d68910", "#7d3c98", "#17a589", "#a04000", "#5d6d7e"];

  function areaStyle(f) {
    var p = f.properties || {};
    var color = TYPE_COLORS[p.station_type] || "#2c3e50";
    var style = { color: color, weight: p.kind === "grid" ? 0.6 : 2, fillColor: color,
                  fillOpacity: p.kind === "grid" ? 0.04 : 0.10, opacity: p.kind === "grid" ? 0.6 : 0.9 };
    // Planning maps: grids shaded by their share of the workload, or coloured by proposed zone.
    if (p.workload_share != null) { style.fillColor = "#b03a2e"; style.fillOpacity = 0.05 + 0.8 * p.workload_share; }
    if (p.zone != null) { style.fillColor = ZONE_COLORS[(p.zone - 1) % ZONE_COLORS.length]; style.fillOpacity = 0.35; }
    return style;
  }

  function initLayerMap(el) {
    var map = baseMap(el);
    map.setView([31.0, 119.9], 10);
    fetch(el.dataset.layersUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var layers = data.layers || {}, labels = data.labels || {}, overlays = {}, bounds = null;
        function add(name, layer, show) {
          if (show) { layer.addTo(map); }
          overlays[labels[name] || name] = layer;
          try {
            var b = layer.getBounds();
            if (b && b.isValid()) { bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast()); }
          } catch (e) { /* empty layer */ }
        }
        if (layers.boundary) {
          // an outline only: it must not take the clicks meant for the areas inside it
          add("boundary", L.geoJSON(layers.boundary, { interactive: false, style: { color: "#1f2d3d", weight: 3, fill: false } }), true);
        }
        // Zones (or stations) go below the grids: on a canvas the shape drawn last takes the
        // click, so grids on top stay clickable with the zone layer on (and on "overlayadd" below).
        if (layers.areas) {
          add("areas", L.geoJSON(layers.areas, {
            style: function (f) { var s = areaStyle(f); s.weight = 2.5; s.fillOpacity = layers.grids ? 0.02 : 0.15; return s; },
            onEachFeature: function (f, l) {
              l.bindTooltip(escapeHtml(f.properties.name), { sticky: true });
              var url = detailUrl(el.dataset.unitUrl, f.properties.id);
              if (url) { l.on("click", function () { window.location.href = url; }); }
            }
          }), true);
        }
        if (layers.grids) {
          add("grids", L.geoJSON(layers.grids, {
            style: areaStyle,
            onEachFeature: function (f, l) {
              var figure = f.properties.workload != null ? f.properties.workload + " h" : f.properties.households;
              l.bindTooltip(escapeHtml(f.properties.name) + " · " + figure, { sticky: true });
              var url = detailUrl(el.dataset.unitUrl, f.properties.id);
              if (url) { l.on("click", function () { window.location.href = url; }); }
            }
          }), true);
        }
        if (layers.premises) {
          add("premises", L.geoJSON(layers.premises, {
            pointToLayer: function (f, latlng) {
              return L.circleMarker(latlng, { radius: 3.5, weight: 1, color: "#fff",
                fillColor: CATEGORY_COLORS[f.properties.category] || "#555", fillOpacity: 0.9 });
            },
            onEachFeature: function (f, l) {
              var url = detailUrl(el.dataset.premisesUrl, f.properties.id);
              l.bindPopup(url ? '<a href="' + url + '">' + escapeHtml(f.properties.name) + "</a>" : escapeHtml(f.properties.name));
            }
          }), !layers.incidents);
        }
        if (layers.incidents) {
          add("incidents", L.geoJSON(layers.incidents, {
            pointToLayer: function (f, latlng) {
              return L.circleMarker(latlng, { radius: 3, weight: 0,
                fillColor: f.properties.criminal ? "#c0392b" : "#2471a3", fillOpacity: 0.7 });
            },
            onEachFeature: function (f, l) {
              var url = detailUrl(el.dataset.incidentUrl, f.properties.id);
              var text = escapeHtml(f.properties.time + " " + f.properties.category);
              l.bindPopup(url ? '<a href="' + url + '">' + text + "</a>" : text);
            }
          }), true);
        }
        // A layer switched on again is drawn last, on top of the others: put the stack back in
        // order (areas, grids, then points) so that what is on top is what takes the click.
        map.on("overlayadd", function () {
          ["areas", "grids", "premises", "incidents"].forEach(function (name) {
            var layer = overlays[labels[name] || name];
            if (layer && map.hasLayer(layer)) { layer.bringToFront(); }
          });
        });
        if (Object.keys(overlays).length > 1) {
          var control = L.control.layers(null, overlays, { collapsed: window.innerWidth < 768 }).addTo(map);
          var toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
          if (toggle) { toggle.title = document.body.dataset.mapLayers || ""; toggle.setAttribute("aria-label", toggle.title); }
        }
        if (bounds) { map.fitBounds(bounds, { padding: [10, 10], animate: false }); }
        el.dataset.ready = "1";
      })
      .catch(function () { el.dataset.ready = "error"; el.classList.add("jw-map-error"); });
  }

  function initPointMap(el) {
    var parts = el.dataset.point.split(",");
    var latlng = [parseFloat(parts[1]), parseFloat(parts[0])];
    var map = baseMap(el);
    map.setView(latlng, 15);
    L.circleMarker(latlng, { radius: 8, color: "#c0392b", weight: 2, fillOpacity: 0.5 }).addTo(map);
    el.dataset.ready = "1";
  }

  function initChart(el) {
    var source = document.getElementById(el.dataset.source);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var kind = el.dataset.chart || "line";
    if (data.series) { drawSeries(el, chart, data, kind); return; }
    // Months the data covers only in part: hollow grey points, named in the tooltip.
    var partial = {};
    (data.partial || []).forEach(function (i) { partial[i] = true; });
    var values = data.values.map(function (v, i) {
      return partial[i] ? { value: v, symbol: "emptyCircle", symbolSize: 9, itemStyle: { color: "#8a8a8a" } } : v;
    });
    chart.setOption({
      grid: { left: 48, right: 16, top: 16, bottom: 48 },
      tooltip: { trigger: "axis", formatter: function (params) {
        var p = params[0];
        var text = escapeHtml(p.axisValueLabel) + "<br>" + p.marker + escapeHtml(p.seriesName) + ": " + escapeHtml(p.value);
        return partial[p.dataIndex] ? text + " (" + escapeHtml(el.dataset.partialLabel || "") + ")" : text;
      } },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: kind === "bar" ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      dataZoom: kind === "line" && data.labels.length > 24 ? [{ type: "inside" }] : [],
      series: [{ name: el.dataset.seriesName || "", type: kind, data: values, smooth: kind === "line",
                 areaStyle: kind === "line" ? { opacity: 0.15 } : undefined, itemStyle: { color: "#2471a3" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.ready = "1";
  }

  // Several named series ({labels, series: [{name, values}], mark, links}): lines or stacked
  // bars; "mark" draws a vertical line at that label index, "links" (one URL per label,
  // or per series and label) opens the rows behind a point when it is clicked.
  function drawSeries(el, chart, data, kind) {
    var palette = ["#c0392b", "#2471a3", "#7f8c8d", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#2c3e50"];
    var type = kind === "bars" || kind === "stack" ? "bar" : "line";
    var series = data.series.map(function (s, i) {
      var out = { name: s.name, type: type, data: s.values, connectNulls: false, itemStyle: { color: palette[i % palette.length] },
                  lineStyle: i === 1 && type === "line" ? { type: "dashed" } : undefined };
      if (kind === "stack") { out.stack = "all"; }
      if (i === 0 && data.mark !== undefined && data.mark !== null) {
        out.markLine = { symbol: "none", silent: true, label: { formatter: el.dataset.markLabel || "" },
                         data: [{ xAxis: data.labels[data.mark] }], lineStyle: { color: "#555", type: "solid" } };
      }
      return out;
    });
    chart.setOption({
      grid: { left: 56, right: 16, top: 36, bottom: 56 },
      legend: { top: 0, type: "scroll" },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: data.labels.length > 12 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: series
    });
    if (data.links) {
      el.style.cursor = "pointer";
      chart.on("click", function (p) {
        var row = data.links[p.seriesIndex];
        var url = Array.isArray(row) ? row[p.dataIndex] : data.links[p.dataIndex];
        if (typeof url === "string" && url.charAt(0) === "/") { window.location.href = url; }
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.ready = "1";
  }

  function init(root) {
    root.querySelectorAll(".jw-map[data-layers-url]").forEach(initLayerMap);
    root.querySelectorAll(".jw-map[data-point]").forEach(initPointMap);
    root.querySelectorAll(".jw-chart[data-source]").forEach(initChart);
    root.querySelectorAll("select.jw-autosubmit").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { if (e.target !== document.body) { init(e.target); } });
})();
