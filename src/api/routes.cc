#include "api/handlers.h"

namespace ichigen::api {

RouteTable AllRoutes() {
  RouteTable table;
  AddHealthRoutes(table);
  AddSessionRoutes(table);
  AddTokenRoutes(table);
  AddBatchRoutes(table);
  AddJobRoutes(table);
  AddPatientRoutes(table);
  AddReviewRoutes(table);
  AddReviewDecisionRoutes(table);
  AddPackageRoutes(table);
  AddConflictRoutes(table);
  AddUserRoutes(table);
  AddAuditRoutes(table);
  AddWebRoutes(table);
  AddStatsRoutes(table);
  return table;
}

}  // namespace ichigen::api
