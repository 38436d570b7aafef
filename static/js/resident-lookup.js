// Looks a typed NIK up among the residents of the form's own village and fills the fields the
// village has recorded and the user left empty (issue 15 section 5). The form names the
// lookup's address in data-lookup-url; the answer is JSON (sktm.views.resident_answer), written
// into the page as text only.
// A note per ground (which SKTM or DTKS/DTSEN listing a proposal would use) follows the ground
// chosen; a note under "" is always shown.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-lookup-url]").forEach((form) => {
    const nik = form.querySelector("[name=nik]");
    const status = form.querySelector("[data-lookup-status]");
    const note = form.querySelector("[data-lookup-note]");
    const ground = form.querySelector("[name=ground]");
    if (!nik || !status) return;
    let asked = "";
    let notes = {};

    const showNote = () => {
      if (!note) return;
      const text = notes[""] || (ground && notes[ground.value]) || "";
      note.textContent = text;
      note.hidden = !text;
    };

    // What the last answer wrote: a field still holding it may be rewritten by the next one,
    // a field the user typed into is left as typed.
    let filled = {};
    const fill = (fields) => {
      const names = new Set([...Object.keys(filled), ...Object.keys(fields)]);
      names.forEach((name) => {
        form.querySelectorAll(`[name="${name}"]`).forEach((input) => {
          if (input.type === "checkbox" || input.type === "radio") return;
          if (input.value !== "" && input.value !== filled[name]) return;
          input.value = fields[name] || "";
        });
      });
      filled = { ...fields };
      // One change for whatever listens to the form (the SKTM's live score).
      nik.dispatchEvent(new Event("change", { bubbles: true }));
    };

    const lookUp = async () => {
      const value = nik.value.trim();
      if (!/^[0-9]{16}$/.test(value) || value === asked) return;
      asked = value;
      status.textContent = "Mencari penduduk…";
      try {
        const url = `${form.dataset.lookupUrl}?nik=${encodeURIComponent(value)}`;
        const response = await fetch(url, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (nik.value.trim() !== value) return; // a newer NIK was typed meanwhile
        if (response.redirected || !response.ok) {
          status.textContent = "Data penduduk tidak dapat dicari sekarang; isi datanya.";
          asked = "";
          return;
        }
        const answer = await response.json();
        status.textContent = answer.message;
        notes = answer.notes || {};
        showNote();
        fill(answer.found ? answer.fields : {});
      } catch (error) {
        status.textContent = "Data penduduk tidak dapat dicari sekarang; isi datanya.";
        asked = "";
      }
    };

    nik.addEventListener("input", lookUp);
    nik.addEventListener("change", lookUp);
    if (ground) ground.addEventListener("change", showNote);
  });
});
