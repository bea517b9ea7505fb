// The map of flagged properties: Leaflet, with tiles only when a tile server is set;
// without one the points stand on a plain background. The table on the page holds the
// same points for anyone who does not use the map.
(function () {
  "use strict";
  var holder = document.getElementById("tf-map");
  var data = document.getElementById("tf-map-data");
  if (!holder || !data || typeof L === "undefined") { return; }
  var config = JSON.parse(data.textContent);
  var map = L.map(holder, { scrollWheelZoom: false, attributionControl: Boolean(config.attribution) });
  if (config.tiles) {
    L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.attribution || "" }).addTo(map);
  } else {
    holder.classList.add("jci-map--plain");
  }
  var bounds = [];
  config.points.forEach(function (point) {
    var marker = L.circleMarker([point.lat, point.lon], {
      radius: 5 + Math.min(point.rules, 4) * 2,
      color: "#1a4480", weight: 1, fillColor: "#d83933", fillOpacity: 0.8
    }).addTo(map);
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = "#" + point.rank + " " + point.label;
    var box = document.createElement("div");
    box.appendChild(link);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(point.reasons));
    marker.bindPopup(box);
    bounds.push([point.lat, point.lon]);
  });
  if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 }); }
  else { map.setView([39.0997, -94.5786], 11); }
}());
