/** Strings of the tasks screens. */
export default {
  en: {},
  ru: {},
};
