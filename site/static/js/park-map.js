/* The public park map (/map/) and the small maps on attraction pages, tree passports and
 * the tree list. Items arrive from tourism/park_map.py through json_script, their
 * coordinates already in the base layer's datum: they are only turned to Leaflet's
 * [lat, lng] here. Only the visitor's own GPS position is shifted (HuaguMap.toDisplay).
 *
 * The filter form and the list below the map are the page's own HTML and work without
 * this script; with it, the same form hides and shows map layers and list rows in place.
 */
(function () {
  "use strict";

  var COLOURS = {
    bloom: { color: "#8f2451", fillColor: "#e0609a", fillOpacity: 0.45 },
    green: { color: "#2f6b3f", fillColor: "#7fb48c", fillOpacity: 0.25 },
    path: { color: "#1f5fa8", weight: 5, opacity: 0.85, dashArray: "1 9", lineCap: "round" },
  };

  function readJSON(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function toLatLng(position) {
    return [position[1], position[0]];
  }

  function icon(item) {
    var glyph = document.createElement("span");
    glyph.className = "pm-icon__glyph";
    glyph.textContent = item.symbol || "";
    var kind = item.kind === "facility" ? "facility pm-icon--" + item.layer : item.kind;
    var bloom = item.in_bloom && item.kind === "attraction" ? " pm-icon--bloom" : "";
    return L.divIcon({
      className: "pm-icon pm-icon--" + kind + bloom,
      html: glyph,
      iconSize: item.kind === "tree" ? [26, 26] : [32, 32],
    });
  }

  /* A Leaflet layer for one item; `onTap` is called when it is chosen. */
  function layerFor(item, onTap) {
    var geometry = item.geometry;
    var layer;
    if (geometry.type === "Polygon") {
      var look = item.in_bloom ? COLOURS.bloom : COLOURS.green;
      layer = L.polygon(
        geometry.coordinates.map(function (ring) {
          return ring.map(toLatLng);
        }),
        Object.assign({ weight: 2, className: "pm-zone" }, look)
      );
      layer.bindTooltip(item.name, {
        permanent: true,
        direction: "center",
        className: "pm-zone-label",
        interactive: false,
        pane: "pmZoneLabels",
      });
    } else if (geometry.type === "LineString") {
      layer = L.polyline(geometry.coordinates.map(toLatLng), COLOURS.path);
    } else {
      layer = L.marker(toLatLng(geometry.coordinates), {
        icon: icon(item),
        title: item.name,
        keyboard: true,
        riseOnHover: true,
      });
    }
    // Every drawn shape names its item, so the list and the map can be matched up.
    layer.on("add", function () {
      var element = layer.getElement();
      if (!element) return;
      element.setAttribute("data-key", item.key);
      if (onTap && layer.getLatLng) {
        element.setAttribute("role", "button");
        element.setAttribute("aria-label", item.name);
      }
    });
    if (onTap) {
      layer.on("click", function (event) {
        if (event.originalEvent) L.DomEvent.stopPropagation(event.originalEvent);
        onTap(item);
      });
    }
    return layer;
  }

  function pointInRing(latlng, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var yi = ring[i][1], xi = ring[i][0], yj = ring[j][1], xj = ring[j][0];
      var crosses = yi > latlng.lat !== yj > latlng.lat;
      if (crosses && latlng.lng < ((xj - xi) * (latlng.lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function parkMap(data) {
    var element = document.getElementById("park-map-canvas");
    var form = document.querySelector("[data-park-map-filters]");
    var list = document.querySelector("[data-park-map-list]");
    var card = document.querySelector("[data-park-map-card]");
    var message = document.querySelector("[data-park-map-message]");
    var locate = document.querySelector("[data-park-map-locate]");
    var text = data.text;
    var base = data.base;
    document.documentElement.classList.add("has-park-map");
    var map = HuaguMap.create(element, base);
    // Zone names sit above the zones but under the markers, which stay tappable.
    map.createPane("pmZoneLabels").style.zIndex = 450;
    var fitZoom = map.getZoom();
    var layers = {};
    var items = {};
    var selected = null;

    function shows(item, state) {
      if (item.layer && state.layers.indexOf(item.layer) === -1) return false;
      if (state.bloom && (item.kind === "zone" || item.kind === "attraction") && !item.in_bloom) {
        return false;
      }
      return true;
    }

    function formState() {
      var fields = new FormData(form);
      return { bloom: fields.get("bloom") === "1", layers: fields.getAll("show") };
    }

    function rowFor(key) {
      return list ? list.querySelector('[data-key="' + CSS.escape(key) + '"]') : null;
    }

    function showMessage(words) {
      message.textContent = words;
      message.hidden = !words;
    }

    function writeAddress() {
      var query = new URLSearchParams(new FormData(form));
      if (selected) query.set("at", selected.key);
      history.replaceState(null, "", location.pathname + "?" + query.toString());
    }

    function closeCard() {
      card.hidden = true;
      if (selected) {
        var row = rowFor(selected.key);
        if (row) row.classList.remove("is-selected");
      }
      selected = null;
      writeAddress();
    }

    function openCard(item, move) {
      if (selected) {
        var previous = rowFor(selected.key);
        if (previous) previous.classList.remove("is-selected");
      }
      selected = item;
      var photo = card.querySelector("[data-park-map-card-photo]");
      photo.hidden = !item.photo;
      if (item.photo) photo.src = item.photo;
      else photo.removeAttribute("src");
      card.querySelector("[data-park-map-card-name]").textContent = item.name;
      card.querySelector("[data-park-map-card-line]").textContent = item.line;
      var link = card.querySelector("[data-park-map-card-link]");
      link.hidden = !item.url;
      if (item.url) {
        link.href = item.url;
        link.textContent = item.kind === "tree" ? text.passport : text.attraction;
      }
      card.hidden = false;
      card.setAttribute("data-key", item.key);
      var row = rowFor(item.key);
      if (row) row.classList.add("is-selected");
      if (move) {
        var layer = layers[item.key];
        if (layer.getBounds) map.fitBounds(layer.getBounds(), { maxZoom: fitZoom + 2 });
        else map.setView(layer.getLatLng(), Math.max(map.getZoom(), fitZoom + 1.5));
      }
      writeAddress();
    }

    function apply() {
      var state = formState();
      data.items.forEach(function (item) {
        var visible = shows(item, state);
        var layer = layers[item.key];
        if (visible && !map.hasLayer(layer)) layer.addTo(map);
        if (!visible && map.hasLayer(layer)) map.removeLayer(layer);
        var row = rowFor(item.key);
        if (row) row.hidden = !visible;
        if (!visible && selected && selected.key === item.key) closeCard();
      });
      if (list) {
        list.querySelectorAll("[data-park-map-section]").forEach(function (section) {
          section.hidden = !section.querySelector("li:not([hidden])");
        });
      }
      writeAddress();
      fitLabels();
    }

    data.items.forEach(function (item) {
      items[item.key] = item;
      layers[item.key] = layerFor(item, function (chosen) {
        openCard(chosen, false);
      });
    });
    // Zones first, so the markers drawn after them stay on top and can be tapped.
    apply();

    // A zone's name shows only where it fits inside the zone at this zoom: on a phone the
    // long names of narrow fields would run into each other. The card and list name them.
    function fitLabels() {
      Object.keys(layers).forEach(function (key) {
        var layer = layers[key];
        var tooltip = layer.getTooltip && layer.getTooltip();
        var label = tooltip && tooltip.getElement();
        if (!label || !layer.getBounds) return;
        var bounds = layer.getBounds();
        var width =
          map.latLngToContainerPoint(bounds.getNorthEast()).x -
          map.latLngToContainerPoint(bounds.getSouthWest()).x;
        label.classList.toggle("pm-zone-label--hidden", label.offsetWidth > width - 4);
      });
    }
    map.on("zoomend", fitLabels);

    form.querySelector("[data-park-map-apply]").hidden = true;
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply();
    });
    card.querySelector("[data-park-map-card-close]").addEventListener("click", closeCard);
    map.on("click", function () {
      if (selected) closeCard();
    });
    if (list) {
      list.addEventListener("click", function (event) {
        var link = event.target.closest("[data-park-map-show]");
        if (!link || !items[link.getAttribute("data-park-map-show")]) return;
        event.preventDefault();
        var item = items[link.getAttribute("data-park-map-show")];
        if (!map.hasLayer(layers[item.key])) return;
        element.scrollIntoView({ behavior: "smooth", block: "start" });
        openCard(item, true);
      });
    }
    if (data.selected && items[data.selected]) openCard(items[data.selected], true);

    var here = null;
    if (locate && "geolocation" in navigator) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        showMessage(text.locating);
        navigator.geolocation.getCurrentPosition(
          function (position) {
            var spot = L.latLng(
              HuaguMap.toDisplay([position.coords.longitude, position.coords.latitude], base)
            );
            var inside = data.boundary
              ? pointInRing(spot, data.boundary.coordinates[0])
              : base.bounds && L.latLngBounds(base.bounds).contains(spot);
            if (here) map.removeLayer(here);
            here = null;
            if (!inside) {
              showMessage(text.outside);
              return;
            }
            var accuracy = Math.round(position.coords.accuracy || 0);
            here = L.layerGroup([
              L.circle(spot, { radius: accuracy, color: "#1f5fa8", weight: 1, fillOpacity: 0.15 }),
              L.circleMarker(spot, {
                radius: 8,
                color: "#fff",
                weight: 3,
                fillColor: "#1f5fa8",
                fillOpacity: 1,
                className: "pm-here",
              }),
            ]).addTo(map);
            map.setView(spot, Math.max(map.getZoom(), fitZoom + 1));
            showMessage(text.here.replace("%(metres)s", accuracy));
          },
          function (error) {
            showMessage(error.code === 1 ? text.refused : text.unavailable);
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }
        );
      });
    }
  }

  /* A small map of where one thing stands (or a few): still unless asked to move. */
  function smallMap(element) {
    var data = readJSON(element.getAttribute("data-small-map"));
    if (!data || !data.points.length) return;
    var still = !data.interactive;
    // On a phone a draggable map inside a page traps the thumb that scrolls the page.
    var moves = !still && !L.Browser.mobile;
    var map = HuaguMap.create(element, data.base, {
      dragging: moves,
      touchZoom: moves,
      scrollWheelZoom: false,
      doubleClickZoom: moves,
      boxZoom: false,
      keyboard: moves,
      zoomControl: moves,
    });
    var fitZoom = map.getZoom();
    var spots = data.points.map(function (point) {
      var item = { key: point.at, kind: data.kind, name: point.name, geometry: point.geometry };
      var marker = layerFor(item, null).addTo(map);
      if (!still && point.url) {
        marker.on("click", function () {
          location.href = point.url;
        });
      }
      return marker.getLatLng();
    });
    if (spots.length === 1) map.setView(spots[0], fitZoom + 1.5);
    else map.fitBounds(L.latLngBounds(spots), { padding: [24, 24], maxZoom: fitZoom + 2 });
    element.classList.add("is-drawn");
  }

  function start() {
    var data = readJSON("park-map-data");
    if (data) parkMap(data);
    document.querySelectorAll("[data-small-map]").forEach(smallMap);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
