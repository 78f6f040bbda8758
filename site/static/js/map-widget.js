/* The admin's map widget (core/map_widget.py): draw, move or reshape one GeoJSON shape on
 * the park map. The field's textarea holds the shape in WGS-84; the map shows it in the
 * base layer's datum, so every position crosses HuaguMap.toDisplay on the way in and
 * HuaguMap.fromDisplay on the way out. The server checks what is saved.
 */
(function () {
  "use strict";

  var TOOLS = {
    point: { drawMarker: true },
    polygon: { drawPolygon: true },
    line: { drawPolyline: true },
    point_or_line: { drawMarker: true, drawPolyline: true },
  };
  var REFERENCE_STYLE = {
    color: "#5b6b5d",
    weight: 1.5,
    dashArray: "4 4",
    fillOpacity: 0.06,
    interactive: false,
    pmIgnore: true,
  };
  var SHAPE_STYLE = { color: "#c0392b", weight: 3, fillOpacity: 0.15 };

  function toLatLngs(positions, base) {
    return positions.map(function (p) {
      return HuaguMap.toDisplay(p, base);
    });
  }

  /* A Leaflet layer for a stored GeoJSON geometry, shifted into the display datum. */
  function layerFor(geometry, base, style) {
    if (!geometry || !geometry.type || !geometry.coordinates) return null;
    var c = geometry.coordinates;
    try {
      if (geometry.type === "Point") return L.marker(HuaguMap.toDisplay(c, base), style && style.pmIgnore ? { interactive: false, pmIgnore: true, opacity: 0.5 } : {});
      if (geometry.type === "LineString") return L.polyline(toLatLngs(c, base), style);
      if (geometry.type === "Polygon") {
        return L.polygon(
          c.map(function (ring) {
            return toLatLngs(ring.slice(0, -1), base);
          }),
          style
        );
      }
    } catch (e) {
      return null;
    }
    return null;
  }

  function stored(latlngs, base) {
    return latlngs.map(function (ll) {
      return HuaguMap.fromDisplay(ll, base);
    });
  }

  /* The drawn layer as a WGS-84 GeoJSON geometry. */
  function geometryOf(layer, base) {
    if (layer instanceof L.Marker) {
      return { type: "Point", coordinates: HuaguMap.fromDisplay(layer.getLatLng(), base) };
    }
    if (layer instanceof L.Polygon) {
      var rings = layer.getLatLngs().map(function (ring) {
        var positions = stored(ring, base);
        if (positions.length) positions.push(positions[0].slice());
        return positions;
      });
      return { type: "Polygon", coordinates: rings };
    }
    if (layer instanceof L.Polyline) {
      return { type: "LineString", coordinates: stored(layer.getLatLngs(), base) };
    }
    return null;
  }

  function setUp(root) {
    var config = JSON.parse(document.getElementById(root.dataset.config).textContent);
    var base = config.base;
    var element = root.querySelector(".map-widget__map");
    var field = root.querySelector("textarea");
    var status = root.querySelector(".map-widget__status");
    var map = HuaguMap.create(element, base);
    var shape = null;
    var fitted = false;

    function say(message) {
      status.textContent = message || "";
      status.hidden = !message;
    }

    (config.reference || []).forEach(function (item) {
      var layer = layerFor(item.geometry, base, REFERENCE_STYLE);
      if (!layer) return;
      if (item.label && layer.bindTooltip) layer.bindTooltip(item.label, { sticky: true });
      layer.addTo(map);
    });

    function write() {
      field.value = shape ? JSON.stringify(geometryOf(shape, base)) : "";
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function watch(layer) {
      layer.on("pm:edit pm:dragend pm:markerdragend pm:vertexremoved pm:vertexadded pm:rotateend", write);
      layer.on("dragend", write);
    }

    function replace(layer) {
      if (shape && shape !== layer) map.removeLayer(shape);
      shape = layer;
      if (shape) {
        if (shape.setStyle) shape.setStyle(SHAPE_STYLE);
        watch(shape);
      }
    }

    function fit() {
      if (shape && shape.getBounds) map.fitBounds(shape.getBounds(), { maxZoom: 18, padding: [20, 20] });
      else if (shape) map.setView(shape.getLatLng(), Math.max(map.getZoom(), 16));
      else if (base.bounds) map.fitBounds(base.bounds);
    }

    function read() {
      var raw = field.value.trim();
      if (!raw) {
        replace(null);
        return true;
      }
      var geometry;
      try {
        geometry = JSON.parse(raw);
      } catch (e) {
        return false;
      }
      var layer = layerFor(geometry, base, SHAPE_STYLE);
      if (!layer) return false;
      layer.addTo(map);
      replace(layer);
      return true;
    }

    if (!read()) say(config.messages.badJson);

    map.pm.setLang(config.language === "zh" ? "zh" : "en");
    map.pm.setGlobalOptions({ continueDrawing: false, snappable: true, pathOptions: SHAPE_STYLE });
    map.pm.addControls(
      Object.assign(
        {
          position: "topleft",
          drawMarker: false,
          drawCircleMarker: false,
          drawPolyline: false,
          drawRectangle: false,
          drawPolygon: false,
          drawCircle: false,
          drawText: false,
          cutPolygon: false,
          rotateMode: false,
          editMode: true,
          dragMode: true,
          removalMode: true,
        },
        TOOLS[config.geometry] || TOOLS.point
      )
    );

    map.on("pm:create", function (event) {
      event.layer.addTo(map);
      replace(event.layer);
      say("");
      write();
    });
    map.on("pm:remove", function (event) {
      if (event.layer === shape) {
        shape = null;
        write();
        say(config.messages.cleared);
      }
    });
    field.addEventListener("change", function () {
      say(read() ? "" : config.messages.badJson);
      fit();
    });

    // A map built inside a hidden tab or a folded panel has no size: fit it once it shows.
    new ResizeObserver(function () {
      if (!element.offsetWidth) return;
      map.invalidateSize();
      if (!fitted) {
        fitted = true;
        fit();
      }
    }).observe(element);
  }

  function start() {
    document.querySelectorAll("[data-map-widget]:not([data-map-widget-ready])").forEach(function (root) {
      root.setAttribute("data-map-widget-ready", "");
      setUp(root);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
