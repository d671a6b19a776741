// Shared map set-up for every page with a map. A page marks its map
// element with data-map and optional data-lat, data-long, data-zoom; the
// tile server comes from the <body> data attributes set in settings, and
// the names of the map's buttons from those the page translated.
(function () {
  "use strict";

  function createMap(element, options) {
    const body = document.body.dataset;
    const lat = parseFloat(element.dataset.lat || "0");
    const long = parseFloat(element.dataset.long || "0");
    const zoom = parseInt(element.dataset.zoom || "13", 10);
    const map = L.map(element, Object.assign(
      { scrollWheelZoom: false, zoomControl: false }, options || {}
    ));

    // Leaflet names its buttons in English; the page gives them in the
    // reader's language.
    L.control.zoom({
      zoomInTitle: body.zoomIn || "Zoom in",
      zoomOutTitle: body.zoomOut || "Zoom out",
    }).addTo(map);
    map.on("popupopen", function (event) {
      const close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close && body.closePopup) close.setAttribute("aria-label", body.closePopup);
    });
    L.tileLayer(body.tileUrl, {
      attribution: body.tileAttribution,
      maxZoom: parseInt(body.maxZoom || "19", 10),
    }).addTo(map);
    map.setView([lat, long], zoom);
    return map;
  }

  // "%(name)s" placeholders, as Django's translations write them.
  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) {
      return values[name] === undefined ? "" : String(values[name]);
    });
  }

  // The point a form asks for: its lat and long fields, a draggable pin on
  // the map (when there is one), "use my location" and typed coordinates.
  // Every way of placing the point ends in setLocation; `onPlace(lat,
  // long)` hears of each new place, typed ones included.
  function pointPicker(options) {
    const form = options.form;
    const map = options.map;
    const messages = options.messages;
    const latInput = form.elements.lat;
    const longInput = form.elements.long;
    const status = form.querySelector("[data-location-status]");
    const photoOffer = form.querySelector("[data-photo-location]");
    let marker = null;

    function hasLocation() {
      return latInput.value.trim() !== "" && longInput.value.trim() !== "";
    }

    function placeMarker(lat, long) {
      if (!map) return;
      if (marker) {
        marker.setLatLng([lat, long]);
        return;
      }
      marker = L.marker([lat, long], { draggable: true, keyboard: false, alt: messages.pin });
      marker.addTo(map);
      marker.on("dragend", function () {
        const point = marker.getLatLng();
        setLocation(point.lat, point.lng, { pan: false });
      });
    }

    function setLocation(lat, long, placing) {
      placing = placing || {};
      latInput.value = lat.toFixed(6);
      longInput.value = long.toFixed(6);
      placeMarker(lat, long);
      if (map && placing.pan !== false) map.setView([lat, long], Math.max(map.getZoom(), options.zoom));
      status.textContent = placing.message || format(messages.pinPlaced, {
        lat: lat.toFixed(5), long: long.toFixed(5),
      });
      if (photoOffer) photoOffer.hidden = true;
      options.onPlace(lat, long);
    }

    if (map) {
      if (hasLocation()) {
        const lat = parseFloat(latInput.value);
        const long = parseFloat(longInput.value);
        map.setView([lat, long], options.zoom);
        placeMarker(lat, long);
      }
      map.on("click", function (event) {
        setLocation(event.latlng.lat, event.latlng.lng, { pan: false });
      });
    }

    const locateButton = form.querySelector("[data-use-my-location]");
    if (navigator.geolocation) {
      locateButton.addEventListener("click", function () {
        status.textContent = messages.locating;
        navigator.geolocation.getCurrentPosition(
          function (position) {
            setLocation(position.coords.latitude, position.coords.longitude, {
              message: messages.locationFound,
            });
          },
          function () { status.textContent = messages.locationFailed; },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    } else {
      locateButton.hidden = true;
    }

    function typedCoordinates() {
      const lat = parseFloat(latInput.value);
      const long = parseFloat(longInput.value);
      if (isFinite(lat) && isFinite(long) && Math.abs(lat) <= 90 && Math.abs(long) <= 180) {
        placeMarker(lat, long);
        if (map) map.setView([lat, long], Math.max(map.getZoom(), options.zoom));
        options.onPlace(lat, long);
      }
    }
    latInput.addEventListener("change", typedCoordinates);
    longInput.addEventListener("change", typedCoordinates);

    return { hasLocation: hasLocation, setLocation: setLocation };
  }

  window.town311 = window.town311 || {};
  window.town311.createMap = createMap;
  window.town311.pointPicker = pointPicker;
})();
