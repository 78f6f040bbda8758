/* The manager's map (nursery/zone_map.py): zones filled with their measure's colour, the
 * specimen trees as dots; a zone's tooltip gives its figure and a click opens its record.
 */
(function () {
  "use strict";
  // The legend's swatches take their colour here: the admin keeps styles out of attributes.
  document.querySelectorAll(".zone-map__swatch[data-colour]").forEach(function (swatch) {
    swatch.style.background = swatch.dataset.colour;
  });
  var element = document.getElementById("zone-map");
  var source = document.getElementById("zone-map-data");
  if (!element || !source || !window.L) return;
  var data = JSON.parse(source.textContent);
  var base = data.base;
  var map = HuaguMap.create(element, base);

  function latlngs(ring) {
    return ring.slice(0, -1).map(function (p) {
      return HuaguMap.toDisplay(p, base);
    });
  }
  if (data.park) {
    L.polygon(data.park.coordinates.map(latlngs), {
      color: "#5b6b5d", weight: 1.5, dashArray: "4 4", fill: false, interactive: false,
    }).addTo(map);
  }
  data.zones.forEach(function (zone) {
    var shape = L.polygon(zone.boundary.coordinates.map(latlngs), {
      color: "#333", weight: 1, fillColor: zone.colour, fillOpacity: 0.75,
    }).addTo(map);
    var planted = data.labels.plantings
      .replace("%(plantings)s", zone.plantings)
      .replace("%(plants)s", zone.plants);
    var tip = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = zone.name;
    tip.appendChild(name);
    tip.appendChild(document.createElement("br"));
    tip.appendChild(document.createTextNode(zone.figure_label));
    tip.appendChild(document.createElement("br"));
    tip.appendChild(document.createTextNode(planted));
    shape.bindTooltip(tip, { sticky: true });
    shape.on("click", function () {
      window.location.href = zone.url;
    });
  });
  data.trees.forEach(function (tree) {
    L.circleMarker(HuaguMap.toDisplay(tree.position, base), {
      radius: 4, color: "#fff", weight: 1.5, fillColor: "#1b5e20", fillOpacity: 1,
    })
      .bindTooltip(tree.name)
      .on("click", function () {
        window.location.href = tree.url;
      })
      .addTo(map);
  });
})();
