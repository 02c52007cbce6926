#include "cli/jumpcloud_tools.hpp"

namespace bridge::cli {

const std::vector<DocumentedTool>& jumpcloud_documented_tools() {
  using enum ToolEffect;
  static const std::vector<DocumentedTool> tools = {
      {"admins_list", reads},
      {"application_get", reads},
      {"applications_list", reads},
      {"commands_list", reads},
      {"device_erase", destructive},
      {"device_get", reads},
      {"device_lock", destructive},
      {"device_restart", destructive},
      {"device_shutdown", destructive},
      {"device_update", destructive}, // overwrites the device's settings
      {"devices_list", reads},
      {"di_events_get", reads},
      {"user_add_mfa", adds},
      {"user_force_password_reset", destructive},
      {"user_get", reads},
      {"user_group_membership", reads},
      {"user_groups_list", reads},
      {"user_reactivate", adds},
      {"user_remove_mfa_requirement", destructive}, // weakens the account's protection
      {"user_resetmfa", destructive},
      {"user_send_invitation_email", adds},
      {"user_send_reset_password_email", adds},
      {"user_suspend", destructive},
      {"user_unlock", adds},
      {"users_list", reads},
      {"search_api", reads},
  };
  return tools;
}

} // namespace bridge::cli
