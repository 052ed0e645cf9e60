-- Argo CD health check for serving.modeloperator.io/ModelDeployment.
-- Install: in argocd-cm, resource.customizations.health.serving.modeloperator.io_ModelDeployment: | <this file>
-- Reads the status the operator writes: observedGeneration, the kstatus conditions (Stalled, Reconciling) beside
-- Ready and Degraded, and the phase. Until the operator has seen the latest spec, nothing it says is about it.
local hs = { status = "Progressing", message = "Waiting for the operator to observe the ModelDeployment" }
if obj.status == nil then
  return hs
end

local generation = obj.metadata and obj.metadata.generation
if generation ~= nil and obj.status.observedGeneration ~= nil and obj.status.observedGeneration < generation then
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end

local conditions = {}
for _, c in ipairs(obj.status.conditions or {}) do
  conditions[c.type] = c
end

local function is_true(type)
  return conditions[type] ~= nil and conditions[type].status == "True"
end

local function say(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return fallback
end

if is_true("Stalled") then
  hs.status = "Degraded"
  hs.message = say(conditions["Stalled"], "The operator cannot make progress")
  return hs
end
if is_true("Degraded") then
  hs.status = "Degraded"
  hs.message = say(conditions["Degraded"], "Degraded")
  return hs
end
if obj.status.phase == "Failed" or obj.status.phase == "RolledBack" then
  hs.status = "Degraded"
  hs.message = say(conditions["RolledBack"] or conditions["Ready"], "Phase " .. obj.status.phase)
  return hs
end
-- Scaled to zero on purpose (kubectl scale to 0, Ready False), or serving on demand (autoscaling.scaleToZero, Ready True): what was asked is done.
if obj.status.phase == "ScaledToZero" and not is_true("Reconciling") then
  hs.status = "Healthy"
  hs.message = say(conditions["Ready"], "Scaled to zero")
  return hs
end
if is_true("Ready") and not is_true("Reconciling") and not is_true("Progressing") then
  hs.status = "Healthy"
  hs.message = say(conditions["Ready"], "Serving")
  return hs
end

hs.status = "Progressing"
hs.message = say(conditions["Reconciling"] or conditions["Progressing"] or conditions["Ready"], "Phase " .. (obj.status.phase or "Pending"))
return hs
