package io.salesos.rules;

/** What a value expression (a task key, a due date, a visit value) came to on one record: a value, or an error. */
sealed interface Evaluated {

  /** The expression's value. */
  record Value(Object value) implements Evaluated {}

  /** The expression could not be evaluated on the record; {@code message} says why and where. */
  record Error(String message) implements Evaluated {}
}
