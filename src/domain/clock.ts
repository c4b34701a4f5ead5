/** Where "now" comes from. The engine and the scheduler read time only through a Clock. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}
