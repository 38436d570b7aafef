// Shows only the evidence fields of the chosen Pasal 5 ground; without JavaScript all show.
// A field shared by two grounds (domicile, other cover) is in both fieldsets: the hidden one
// is disabled too, so the browser sends only the visible copy.
document.addEventListener("DOMContentLoaded", () => {
  const ground = document.querySelector("#item-form [name=ground]");
  if (!ground) return;
  const update = () => {
    document.querySelectorAll("#item-form [data-ground-for]").forEach((fieldset) => {
      const shown = fieldset.dataset.groundFor.split(" ").includes(ground.value);
      fieldset.hidden = !shown;
      fieldset.disabled = !shown;
    });
  };
  ground.addEventListener("change", update);
  update();
});
