/** Strings of the designer screens. */
export default {
  en: {},
  ru: {},
};
