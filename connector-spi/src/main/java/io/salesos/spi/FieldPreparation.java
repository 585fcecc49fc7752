package io.salesos.spi;

import java.util.List;
import java.util.Objects;

/**
 * The answer to a request to create fields: one {@link FieldCreation} per requested field, in
 * request order, and the steps a person still has to take (grant field access, deploy a package),
 * in the order to take them.
 */
public record FieldPreparation(List<FieldCreation> fields, List<String> steps) {

  public FieldPreparation {
    fields = List.copyOf(Objects.requireNonNull(fields, "fields"));
    steps = List.copyOf(Objects.requireNonNull(steps, "steps"));
  }
}
