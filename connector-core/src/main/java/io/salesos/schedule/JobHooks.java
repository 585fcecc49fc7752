package io.salesos.schedule;

import io.salesos.runtime.SalesosRuntime;

/**
 * What the scheduled jobs call besides sync: rules evaluation, planning, reconcile, and a note of
 * each run (for metrics and tests). Each hook is optional.
 */
public interface JobHooks {

  JobHooks NONE = new JobHooks() {};

  default void evaluate(SalesosRuntime runtime) {}

  default void plan(SalesosRuntime runtime) {}

  default void reconcile(SalesosRuntime runtime) {}

  /** Called after every job run with its name and duration. */
  default void ran(String job, long nanos) {}
}
