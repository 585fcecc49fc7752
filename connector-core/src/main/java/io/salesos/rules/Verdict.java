package io.salesos.rules;

/**
 * What a rule's condition came to on one record: it holds, it fails, or it could not be evaluated
 * (typically a field the record lacks), which is no verdict at all and must never be read as either.
 */
sealed interface Verdict {

  /** The condition is true for the record. */
  record Holds() implements Verdict {}

  /** The condition is false for the record. */
  record Fails() implements Verdict {}

  /** The condition could not be evaluated on the record; {@code message} says why and where. */
  record Error(String message) implements Verdict {}

  Verdict HOLDS = new Holds();
  Verdict FAILS = new Fails();
}
