/** Strings of the card screens. */
export default {
  en: {},
  ru: {},
};
