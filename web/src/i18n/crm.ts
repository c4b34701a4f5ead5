/** Strings of the crm screens. */
export default {
  en: {},
  ru: {},
};
