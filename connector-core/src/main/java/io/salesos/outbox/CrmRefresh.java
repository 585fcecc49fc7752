package io.salesos.outbox;

import io.salesos.connection.CrmConnection;
import io.salesos.mapping.ObjectMapping;

/**
 * The push's one way to the pull side: bring the mirror up to what the CRM holds for one object
 * before updates to it are checked for conflicts (the sync engine's incremental pull serves it).
 */
@FunctionalInterface
public interface CrmRefresh {

  void refresh(CrmConnection connection, ObjectMapping mapping);
}
