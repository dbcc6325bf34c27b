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
  AddUserRoutes(table);
  AddAuditRoutes(table);
  return table;
}

}  // namespace ichigen::api
