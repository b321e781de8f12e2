package outbox

// CatchUpDailyTrips is the start-up catch-up, for tests.
var CatchUpDailyTrips = catchUpDailyTrips
