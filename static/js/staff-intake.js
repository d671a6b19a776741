// The intake form, made quicker with JavaScript, as the resident report
// form is: click the map to place the pin, pick a suggested place as the
// address is typed, and see the open requests of the same service nearby
// as soon as the place is set. Without it the form still works: the server
// finds the place and shows the nearby requests before filing.
(function () {
  "use strict";

  function debounce(fn, wait) {
    let timer = null;
    return function () {
      const args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, wait);
    };
  }

  function intakeForm(form) {
    const latInput = form.elements.lat;
    const longInput = form.elements.long;
    const locationStatus = form.querySelector("[data-location-status]");
    const nearbySection = form.querySelector("#nearby");
    const nearbyList = nearbySection.querySelector("[data-nearby-list]");
    let map = null;
    let marker = null;
    let nearbyRequest = 0;

    function placeMarker(lat, long) {
      if (!map) return;
      if (marker) {
        marker.setLatLng([lat, long]);
        return;
      }
      marker = L.marker([lat, long], { draggable: true, keyboard: false, alt: "Where the problem is" });
      marker.addTo(map);
      marker.on("dragend", function () {
        const point = marker.getLatLng();
        setLocation(point.lat, point.lng, { pan: false });
      });
    }

    // A click on the map, a dragged pin and a suggested place all end here.
    function setLocation(lat, long, options) {
      options = options || {};
      latInput.value = lat.toFixed(6);
      longInput.value = long.toFixed(6);
      placeMarker(lat, long);
      if (map && options.pan !== false) map.setView([lat, long], Math.max(map.getZoom(), 17));
      locationStatus.textContent = options.message ||
        "Pin placed at " + lat.toFixed(5) + ", " + long.toFixed(5) + ".";
      fetchNearby(lat, long);
    }

    const mapElement = document.getElementById("report-map");
    if (window.L && window.town311 && mapElement) {
      form.querySelector("[data-map-tools]").hidden = false;
      map = window.town311.createMap(mapElement);
      const lat = parseFloat(latInput.value);
      const long = parseFloat(longInput.value);
      if (isFinite(lat) && isFinite(long)) {
        map.setView([lat, long], 17);
        placeMarker(lat, long);
      } else if (mapElement.dataset.bounds) {
        map.fitBounds(JSON.parse(mapElement.dataset.bounds));
      }
      map.on("click", function (event) {
        setLocation(event.latlng.lat, event.latlng.lng, { pan: false });
      });
    }

    function typedCoordinates() {
      const lat = parseFloat(latInput.value);
      const long = parseFloat(longInput.value);
      if (isFinite(lat) && isFinite(long) && Math.abs(lat) <= 90 && Math.abs(long) <= 180) {
        placeMarker(lat, long);
        if (map) map.setView([lat, long], Math.max(map.getZoom(), 17));
        fetchNearby(lat, long);
      }
    }
    latInput.addEventListener("change", typedCoordinates);
    longInput.addEventListener("change", typedCoordinates);

    // Place suggestions from the town's list, as on the public form

    const addressBox = form.querySelector("[data-places-url]");
    const addressInput = form.elements.address;
    const suggestions = addressBox.querySelector("[data-place-suggestions]");
    const placeStatus = addressBox.querySelector("[data-place-status]");
    let placesRequest = 0;

    function showSuggestions(places) {
      suggestions.replaceChildren();
      if (!places.length) {
        placeStatus.textContent = "No place found yet. Try a street name or a landmark.";
        return;
      }
      const list = document.createElement("ul");
      places.forEach(function (place) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        const kind = document.createElement("span");
        button.type = "button";
        button.textContent = place.address + " ";
        kind.className = "place-kind";
        kind.textContent = "(" + place.kind + ")";
        button.append(kind);
        button.addEventListener("click", function () {
          addressInput.value = place.address;
          suggestions.replaceChildren();
          setLocation(place.lat, place.long, { message: "Pin placed at " + place.name + "." });
          addressInput.focus();
        });
        item.append(button);
        list.append(item);
      });
      suggestions.append(list);
      placeStatus.textContent = places.length === 1
        ? "1 place found: pick it below."
        : places.length + " places found: pick one below.";
    }

    addressInput.addEventListener("input", debounce(function () {
      const text = addressInput.value.trim();
      const ticket = ++placesRequest;
      if (text.length < 2) {
        suggestions.replaceChildren();
        placeStatus.textContent = "";
        return;
      }
      fetch(addressBox.dataset.placesUrl + "?q=" + encodeURIComponent(text))
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (ticket === placesRequest) showSuggestions(body.places);
        })
        .catch(function () { /* the server finds the place on submit */ });
    }, 250));
    addressInput.addEventListener("keydown", function (event) {
      const first = suggestions.querySelector("button");
      if (event.key === "ArrowDown" && first) {
        event.preventDefault();
        first.focus();
      } else if (event.key === "Escape") {
        suggestions.replaceChildren();
      }
    });

    // Open requests of the same service nearby: the clerk opens one of
    // them instead of filing a second request for the same problem.

    function fetchNearby(lat, long) {
      const ticket = ++nearbyRequest;
      fetch(nearbySection.dataset.nearbyUrl + "&lat=" + lat + "&long=" + long)
        .then(function (response) { return response.ok ? response.json() : { requests: [] }; })
        .then(function (body) {
          if (ticket === nearbyRequest) showNearby(body.requests);
        })
        .catch(function () { /* the server checks again on submit */ });
    }

    function showNearby(requests) {
      nearbyList.replaceChildren();
      requests.forEach(function (found) {
        const item = document.createElement("li");
        const link = document.createElement("a");
        const facts = document.createElement("span");
        item.className = "nearby-item";
        link.href = found.url;
        link.textContent = "Request " + found.number + ": " + found.service;
        facts.className = "nearby-facts";
        facts.textContent = " · about " + found.distance_m + " m away · " + found.status +
          (found.address ? " · " + found.address : "");
        item.append(link, facts);
        nearbyList.append(item);
      });
      nearbySection.hidden = requests.length === 0;
      if (requests.length) {
        locationStatus.textContent += " Open requests nearby: see “Is it one of these?”.";
      }

      // Seen here, so Send files the new request without asking again.
      let confirmed = form.elements.not_duplicate;
      if (!confirmed && requests.length) {
        confirmed = document.createElement("input");
        confirmed.type = "hidden";
        confirmed.name = "not_duplicate";
        confirmed.value = "on";
        form.append(confirmed);
      }
    }
  }

  document.querySelectorAll("[data-intake-form]").forEach(intakeForm);
})();
