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
  AddConflictRoutes(table);
  AddUserRoutes(table);
  AddAuditRoutes(table);
  AddAgreementRoutes(table);
  AddConsentRoutes(table);
  AddLastmileRoutes(table);
  AddReferenceRoutes(table);
  AddWebRoutes(table);
  AddStatsRoutes(table);
  return table;
}

}  // namespace ichigen::api
