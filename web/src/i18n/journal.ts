/** Strings of the journal screens. */
export default {
  en: {},
  ru: {},
};
