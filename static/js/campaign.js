// A campaign's page, made quicker with JavaScript. The page works without
// it. With it, the map shows the points already published, and the form
// gains: the photo kept as soon as it is picked, with where it was taken
// offered as the point; a tap on the map or the device's position to place
// the point; the "Is it the same one?" prompt as soon as the point is
// placed; and a Send button that cannot be pressed twice.
(function () {
  "use strict";

  // "%(name)s" placeholders, as Django's translations write them.
  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) {
      return values[name] === undefined ? "" : String(values[name]);
    });
  }

  function townColour() {
    return getComputedStyle(document.documentElement)
      .getPropertyValue("--town-colour").trim() || "#1f5f8b";
  }

  function popup(properties, messages) {
    const box = document.createElement("div");
    if (properties.thumbnail_url) {
      const image = document.createElement("img");
      image.src = properties.thumbnail_url;
      image.alt = messages.pointPhoto;
      image.width = 160;
      box.append(image);
    }
    const facts = document.createElement("p");
    facts.textContent = format(messages.confirmations, { count: properties.confirmations });
    box.append(facts);
    return box;
  }

  // The map of the campaign: its area and its published points.
  function campaignMap(element, messages) {
    element.hidden = false;
    const map = window.town311.createMap(element);
    const colour = townColour();

    if (element.dataset.area) {
      L.geoJSON(JSON.parse(element.dataset.area), {
        interactive: false,
        style: { color: colour, weight: 2, fill: false, dashArray: "6 4" },
      }).addTo(map);
    }
    if (element.dataset.bounds) {
      map.fitBounds(JSON.parse(element.dataset.bounds));
    }

    if (element.dataset.pointsUrl) {
      fetch(element.dataset.pointsUrl, { headers: { Accept: "application/geo+json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("campaign points: HTTP " + response.status);
          return response.json();
        })
        .then(function (collection) {
          L.geoJSON(collection, {
            pointToLayer: function (feature, latlng) {
              return L.circleMarker(latlng, {
                radius: 7, weight: 2, color: colour, fillColor: colour, fillOpacity: 0.6,
              });
            },
            onEachFeature: function (feature, layer) {
              layer.bindPopup(popup(feature.properties, messages));
            },
          }).addTo(map);
          // Lets tests (and curious readers) see that the points are in.
          element.dataset.loaded = String(collection.features.length);
        })
        .catch(function (error) { console.warn(error); });
    }
    return map;
  }

  function submissionForm(form, messages) {
    const csrfToken = form.elements.csrfmiddlewaretoken.value;
    const latInput = form.elements.lat;
    const longInput = form.elements.long;
    const locationStatus = form.querySelector("[data-location-status]");
    const differentInput = form.querySelector("[data-different-point-input]");
    const nearbySection = form.querySelector("#nearby");
    const nearbyList = nearbySection.querySelector("[data-nearby-list]");
    const photoOffer = form.querySelector("[data-photo-location]");
    let map = null;
    let nearbyRequest = 0;

    function hasLocation() {
      return latInput.value.trim() !== "" && longInput.value.trim() !== "";
    }

    // The map, and the point's pin on it: a tap, a drag, the device's
    // position, typed coordinates, the photo's position.

    const mapTools = form.querySelector("[data-map-tools]");
    const mapElement = form.querySelector("[data-campaign-map]");
    const coordinates = form.querySelector("[data-coordinates]");
    if (window.L && window.town311 && mapElement) {
      mapTools.hidden = false;
      map = campaignMap(mapElement, messages);
      // With a map to tap, typing coordinates is the exception.
      if (!("keepOpen" in coordinates.dataset)) coordinates.open = false;
    }
    const setLocation = window.town311.pointPicker({
      form: form,
      map: map,
      zoom: 18,
      messages: messages,
      onPlace: function (lat, long) {
        // A new place may have its own published point nearby: ask again.
        differentInput.disabled = true;
        fetchNearby(lat, long);
      },
    }).setLocation;

    // "Is it the same one?": published points close to the one placed

    function fetchNearby(lat, long) {
      const ticket = ++nearbyRequest;
      const url = nearbySection.dataset.nearbyUrl + "?lat=" + lat + "&long=" + long;
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { html: "" }; })
        .then(function (body) {
          if (ticket === nearbyRequest) showNearby(body.html);
        })
        .catch(function () { /* the server checks again on submit */ });
    }

    function showNearby(html) {
      const template = document.createElement("template");
      template.innerHTML = html;
      nearbyList.replaceChildren.apply(nearbyList, Array.from(template.content.childNodes));
      nearbySection.hidden = !html;
      const notice = document.querySelector("[data-nearby-notice]");
      if (notice) notice.hidden = !html;
      if (html) locationStatus.textContent += " " + messages.nearbyFound;
    }

    nearbySection.addEventListener("click", function (event) {
      if (!event.target.closest("[data-different-point]")) return;
      differentInput.disabled = false;
      nearbySection.hidden = true;
      locationStatus.textContent = messages.differentPoint;
      const next = form.querySelector("#answers, #contact");
      if (next) {
        next.setAttribute("tabindex", "-1");
        next.focus();
      }
    });

    // The photo is kept as soon as it is picked

    const fileInput = form.elements.photo;
    const photoList = form.querySelector("[data-photo-list]");
    const photoStatus = form.querySelector("[data-photo-status]");
    const photoErrors = form.querySelector("[data-photo-errors]");
    let photoPosition = null;

    function photoError(text) {
      const item = document.createElement("li");
      item.textContent = text;
      photoErrors.append(item);
      photoErrors.hidden = false;
    }

    function showPhoto(photo) {
      const item = document.createElement("li");
      const image = document.createElement("img");
      const label = document.createElement("label");
      const remove = document.createElement("input");
      item.className = "photo-item";
      image.className = "photo-thumbnail";
      image.src = photo.thumbnail;
      image.alt = messages.photoAlt;
      label.className = "photo-remove";
      remove.type = "checkbox";
      remove.name = "remove_photo";
      remove.value = "on";
      label.append(remove, " " + messages.removePhoto);
      item.append(image, label);
      // One photo a point: the new one replaces the last.
      photoList.replaceChildren(item);
    }

    function upload(file) {
      photoStatus.textContent = format(messages.uploading, { name: file.name });
      const data = new FormData();
      data.append("photo", file);
      data.append("draft_key", form.elements.draft_key.value);
      fetch(fileInput.dataset.uploadUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": csrfToken },
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (!result.ok) {
            photoError(result.body.error);
            photoStatus.textContent = "";
            return;
          }
          showPhoto(result.body);
          photoStatus.textContent = format(messages.uploaded, { name: file.name });
          photoPosition = result.body.gps;
          photoOffer.hidden = !photoPosition;
        })
        .catch(function () {
          photoError(format(messages.uploadFailed, { name: file.name }));
          photoStatus.textContent = "";
        });
    }

    fileInput.addEventListener("change", function () {
      const file = fileInput.files[0];
      // Kept now, so it must not travel again with the form.
      fileInput.value = "";
      photoErrors.replaceChildren();
      photoErrors.hidden = true;
      if (file) upload(file);
    });

    form.querySelector("[data-use-photo-location]").addEventListener("click", function () {
      if (photoPosition) {
        setLocation(photoPosition.lat, photoPosition.long, { message: messages.photoLocationUsed });
      }
    });

    // One tap on Send is one point

    const send = form.querySelector("[data-send]");
    const sendLabel = send.textContent;
    let sending = false;
    form.addEventListener("submit", function (event) {
      if (sending) {
        event.preventDefault();
        return;
      }
      sending = true;
      const button = event.submitter;
      if (button) {
        button.setAttribute("aria-disabled", "true");
        if (button.dataset.sendingLabel) button.textContent = button.dataset.sendingLabel;
        // Disabled only after the browser has read the form: a disabled
        // submit button would leave its own value out.
        setTimeout(function () { button.disabled = true; }, 0);
      }
    });
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) return;
      sending = false;
      form.querySelectorAll("button[aria-disabled]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
      });
      send.textContent = sendLabel;
    });

    if (hasLocation() && !nearbyList.children.length && differentInput.disabled) {
      fetchNearby(parseFloat(latInput.value), parseFloat(longInput.value));
    }

    const summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  const messagesElement = document.getElementById("campaign-messages");
  const messages = messagesElement ? JSON.parse(messagesElement.textContent) : {};
  const form = document.querySelector("[data-submission-form]");
  if (form) {
    submissionForm(form, messages);
  } else {
    document.querySelectorAll("[data-campaign-map]").forEach(function (element) {
      if (window.L && window.town311) campaignMap(element, messages);
    });
  }
})();
