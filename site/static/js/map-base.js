/* The park's maps share this: the base layer (park plan image or a tile service), and the
 * shift between WGS-84 (stored, and what GPS gives) and GCJ-02 (what Chinese tile services
 * draw). core/geo.py holds the same formulas; tests compare the two.
 *
 *   const map = HuaguMap.create(element, base);   // base: the JSON core/map_base.py writes
 *   HuaguMap.toDisplay([lon, lat], base)   -> [lat, lng] for Leaflet
 *   HuaguMap.fromDisplay(latlng, base)     -> [lon, lat] in WGS-84, to store
 */
(function () {
  "use strict";
  var A = 6378245.0;
  var EE = 0.00669342162296594323;

  function inChina(lon, lat) {
    return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
  }
  function shiftLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
    r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
    r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
    return r;
  }
  function shiftLon(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
    r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
    r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
    return r;
  }
  function wgs84ToGcj02(lon, lat) {
    if (!inChina(lon, lat)) return [lon, lat];
    var dLat = shiftLat(lon - 105, lat - 35);
    var dLon = shiftLon(lon - 105, lat - 35);
    var radLat = (lat / 180) * Math.PI;
    var magic = 1 - EE * Math.sin(radLat) * Math.sin(radLat);
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
    dLon = (dLon * 180) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
    return [lon + dLon, lat + dLat];
  }
  function gcj02ToWgs84(lon, lat) {
    if (!inChina(lon, lat)) return [lon, lat];
    var gLon = lon, gLat = lat;
    for (var i = 0; i < 30; i++) {
      var s = wgs84ToGcj02(gLon, gLat);
      var eLon = s[0] - lon, eLat = s[1] - lat;
      gLon -= eLon;
      gLat -= eLat;
      if (Math.abs(eLon) < 1e-10 && Math.abs(eLat) < 1e-10) break;
    }
    return [gLon, gLat];
  }

  function toDisplay(position, base) {
    var p = base && base.datum === "gcj02" ? wgs84ToGcj02(position[0], position[1]) : position;
    return [p[1], p[0]];
  }
  function fromDisplay(latlng, base) {
    var p = [latlng.lng, latlng.lat];
    if (base && base.datum === "gcj02") p = gcj02ToWgs84(p[0], p[1]);
    return [Math.round(p[0] * 1e7) / 1e7, Math.round(p[1] * 1e7) / 1e7];
  }

  /* A Leaflet map on `element` with the park's base layer, fitted to the park; its zoom
     buttons are named in the page's language (`base.labels`). */
  function create(element, base, options) {
    var settings = Object.assign({ zoomSnap: 0.25, attributionControl: true }, options || {});
    var zooms = settings.zoomControl !== false;
    settings.zoomControl = false;
    var map = L.map(element, settings);
    if (zooms) {
      var labels = base.labels || {};
      var named = {};
      if (labels.zoomIn) named.zoomInTitle = labels.zoomIn;
      if (labels.zoomOut) named.zoomOutTitle = labels.zoomOut;
      L.control.zoom(named).addTo(map);
    }
    map.attributionControl.setPrefix(false);
    if (base.tiles) {
      L.tileLayer(base.tiles.url, {
        subdomains: base.tiles.subdomains,
        attribution: base.tiles.attribution,
        maxZoom: base.tiles.maxZoom,
      }).addTo(map);
    } else if (base.plan) {
      L.imageOverlay(base.plan.url, base.plan.bounds, { alt: "" }).addTo(map);
    }
    if (base.bounds) map.fitBounds(base.bounds);
    else map.setView([30.5, 106.6], 14);
    return map;
  }

  window.HuaguMap = {
    create: create,
    toDisplay: toDisplay,
    fromDisplay: fromDisplay,
    wgs84ToGcj02: wgs84ToGcj02,
    gcj02ToWgs84: gcj02ToWgs84,
  };
})();
