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
  AddMergeRoutes(table);
  AddPackageRoutes(table);
  AddUserRoutes(table);
  AddAuditRoutes(table);
  AddWebRoutes(table);
  return table;
}

}  // namespace ichigen::api
