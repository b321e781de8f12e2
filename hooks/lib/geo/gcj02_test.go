package geo_test

import (
	"math"
	"testing"

	"feidi/hooks/lib/geo"
)

// metres is the distance between two nearby points, on a sphere of the Earth's radius.
func metres(lon1, lat1, lon2, lat2 float64) float64 {
	const r = 6371000.0
	dLat := (lat2 - lat1) * math.Pi / 180
	dLon := (lon2 - lon1) * math.Pi / 180 * math.Cos(lat1*math.Pi/180)
	return r * math.Hypot(dLat, dLon)
}

// TestGCJ02RoundTrip: in Dazu and Chengdu the datum moves a point by a few hundred metres, and
// converting back lands within a millimetre of where it started; outside China nothing moves.
func TestGCJ02RoundTrip(t *testing.T) {
	for _, p := range [][2]float64{{105.7218, 29.7065}, {104.0668, 30.5728}, {105.7800, 29.4500}} {
		gLon, gLat := geo.WGS84ToGCJ02(p[0], p[1])
		shift := metres(p[0], p[1], gLon, gLat)
		if shift < 100 || shift > 800 {
			t.Errorf("%v: GCJ-02 shifts by %.0f m", p, shift)
		}
		wLon, wLat := geo.GCJ02ToWGS84(gLon, gLat)
		if d := metres(p[0], p[1], wLon, wLat); d > 0.001 {
			t.Errorf("%v: back %.6f,%.6f is %.4f m off", p, wLon, wLat, d)
		}
	}
	if lon, lat := geo.GCJ02ToWGS84(2.35, 48.85); lon != 2.35 || lat != 48.85 {
		t.Errorf("Paris moved to %v,%v", lon, lat)
	}
}
